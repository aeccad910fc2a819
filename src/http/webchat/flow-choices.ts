import type { Flow } from '../../flow/flow.js';
import type { Runtime } from '../../runtime.js';
import { COMMON_NAMESPACE } from '../../engine/types.js';

export interface LanguageChoice {
  readonly code: string;
  /** The language's name in itself (`Cymraeg`), so a reader can find their own. */
  readonly name: string;
}

/** One flow as the web chat's start form offers it. */
export interface FlowChoice {
  readonly id: string;
  readonly title: string;
  readonly languages: readonly LanguageChoice[];
  /** True when the flow has easy-read wording to offer. */
  readonly plain: boolean;
  /** The flow's `title` text in each of its languages. */
  readonly titles: Readonly<Record<string, string>>;
}

export function describeFlow(runtime: Runtime, flow: Flow): FlowChoice {
  const text = (namespace: string, key: string, language: string): string =>
    runtime.translate({ namespace, key, language, variant: 'standard', role: undefined });
  return {
    id: flow.id,
    title: flow.title,
    languages: flow.languages.map((code) => ({
      code,
      name: text(COMMON_NAMESPACE, 'language_name', code),
    })),
    plain: flow.variants.includes('plain'),
    titles: Object.fromEntries(
      flow.languages.map((language) => [
        language,
        runtime.catalog.has(language, flow.id, 'title')
          ? text(flow.id, 'title', language)
          : flow.title,
      ]),
    ),
  };
}

export function describeFlows(runtime: Runtime): FlowChoice[] {
  return runtime.flows.list().map((flow) => describeFlow(runtime, flow));
}
