import type { Flow } from './flow.js';
import { readFlowFolder } from './flow-folder.js';
import { loadFlowFile, type FlowSources } from './load.js';
import type { FlowProblem } from './problems.js';

/**
 * The flows in service, by id and version. Older versions stay so that people who started
 * on them can finish on them. New versions arrive while the server runs (published through
 * Redis, or a flow file edited in embedded mode); the one published last is live.
 */
export class FlowRegistry {
  private readonly latest = new Map<string, Flow>();
  /** When the live version of each flow was published (ms); absent for flows read from files at start. */
  private readonly liveSince = new Map<string, number>();
  private readonly versions = new Map<string, Flow>();
  private readonly keywords = new Map<string, string>();

  /**
   * Adds a version and makes it live, unless a version published later is live already:
   * `publishedAt` (ms) orders versions that reach this process out of order. Without it the
   * version goes live, as when files load at start. A version that would take a keyword
   * another live flow owns is refused whole, and the problem returned.
   */
  publish(flow: Flow, publishedAt?: number): FlowProblem[] {
    const since = this.liveSince.get(flow.id);
    if (publishedAt !== undefined && since !== undefined && since > publishedAt) {
      this.versions.set(`${flow.id}@${flow.version}`, flow);
      return [];
    }
    const clashes = flow.keywords.filter((word) => {
      const owner = this.keywords.get(word);
      return owner !== undefined && owner !== flow.id;
    });
    if (clashes.length > 0) {
      return clashes.map((word) => ({
        file: flow.source,
        path: 'keywords',
        message: `keyword '${word}' already starts flow '${this.keywords.get(word) ?? ''}'`,
        fix: 'choose a keyword no other flow uses',
      }));
    }
    const previous = this.latest.get(flow.id);
    previous?.keywords.forEach((word) => this.keywords.delete(word));
    flow.keywords.forEach((word) => this.keywords.set(word, flow.id));
    this.latest.set(flow.id, flow);
    if (publishedAt === undefined) this.liveSince.delete(flow.id);
    else this.liveSince.set(flow.id, publishedAt);
    this.versions.set(`${flow.id}@${flow.version}`, flow);
    return [];
  }

  /** The current version, or the exact version a session pinned when given. */
  get(id: string, version?: string): Flow | undefined {
    return version === undefined ? this.latest.get(id) : this.versions.get(`${id}@${version}`);
  }

  /** Every version of a flow known here, the live one included, in the order they arrived. */
  versionsOf(id: string): Flow[] {
    return [...this.versions.values()].filter((flow) => flow.id === id);
  }

  /** The flow a keyword starts, and the language it names if any; case, spaces and punctuation are forgiven. */
  byKeyword(
    text: string,
  ): { readonly flow: Flow; readonly language: string | undefined } | undefined {
    const word = text
      .normalize('NFKC')
      .toUpperCase()
      .replace(/[^\p{L}\p{N}]/gu, '');
    const id = this.keywords.get(word);
    const flow = id === undefined ? undefined : this.latest.get(id);
    return flow === undefined ? undefined : { flow, language: flow.keywordLanguages[word] };
  }

  list(): Flow[] {
    return [...this.latest.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}

export interface LoadedFlows {
  readonly registry: FlowRegistry;
  readonly problems: FlowProblem[];
}

/** Loads every flow file in a folder; one broken file does not hide the others' problems. */
export function loadFlowDirectory(dir: string, sources: FlowSources): LoadedFlows {
  const registry = new FlowRegistry();
  const problems = readFlowFolder(
    dir,
    (file) => loadFlowFile(file, sources),
    ({ flow }) => registry.publish(flow),
  );
  return { registry, problems };
}
