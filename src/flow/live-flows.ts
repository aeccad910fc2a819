import type { TextBundle, TextCatalog } from '../i18n/catalog.js';
import type { Flow } from './flow.js';
import type { FlowProblem } from './problems.js';
import type { FlowRegistry } from './registry.js';

interface VersionTexts {
  readonly version: string;
  readonly publishedAt: number;
  readonly texts: Readonly<Record<string, TextBundle>>;
}

/**
 * Puts new versions of flows in service in this process: the flow into the registry, its texts
 * into the catalog. Texts are per flow, not per version: each version's texts are laid over
 * the earlier ones in publish order, so the newest wording of a key wins while keys that a
 * later version dropped stay for conversations still on an earlier one.
 */
export class LiveFlows {
  private readonly textsByFlow = new Map<string, VersionTexts[]>();

  constructor(private readonly content: { flows: FlowRegistry; catalog: TextCatalog }) {}

  /** Returns the registry's problems (a keyword another flow owns); then nothing changed. */
  put(flow: Flow, texts: Readonly<Record<string, TextBundle>>, publishedAt: number): FlowProblem[] {
    const problems = this.content.flows.publish(flow, publishedAt);
    if (problems.length > 0) return problems;
    const known = (this.textsByFlow.get(flow.id) ?? []).filter((v) => v.version !== flow.version);
    const ordered = [...known, { version: flow.version, publishedAt, texts }].sort(
      (a, b) => a.publishedAt - b.publishedAt,
    );
    this.textsByFlow.set(flow.id, ordered);
    for (const version of ordered) this.content.catalog.mergeNamespace(flow.id, version.texts);
    return [];
  }
}
