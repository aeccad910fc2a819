import type { Writable } from 'node:stream';
import type { ResponseStore } from '../responses/response-store.js';
import { exportColumns, type ExportedFlow } from './columns.js';
import { writeResponses, type ExportFormat } from './exporter.js';

export interface FlowExportRequest {
  /** The live version: its answers come first, in the order its steps are written. */
  readonly flow: ExportedFlow;
  /** Every version of the flow known (the live one may be among them): their answers follow. */
  readonly versions: readonly ExportedFlow[];
  readonly responses: ResponseStore;
  readonly format: ExportFormat;
  /** Only records stored at or after this time. */
  readonly since?: Date | undefined;
}

export interface PreparedExport {
  /** A name for the download: `<flow>-responses.csv`. */
  readonly fileName: string;
  /** Streams the export to `output`, ends it, and resolves with the number of records. */
  write(output: Writable): Promise<number>;
}

/**
 * Gets a flow's export ready to stream, in one read of the records. A CSV's columns come from
 * the flow's definitions, not from the records, so its header is written before the first
 * record is read; an answer under a name no known version saves goes in `other_answers`.
 * One read of the store here, before anything is sent, lets a store that is down be reported
 * properly.
 */
export async function prepareFlowExport(request: FlowExportRequest): Promise<PreparedExport> {
  const { flow, versions, responses, format, since } = request;
  await responses.count(flow.id);
  const columns = exportColumns(flow, versions);
  return {
    fileName: `${flow.id}-responses.${format}`,
    write: (output) =>
      writeResponses(responses.list(flow.id, { since }), output, { format, columns }),
  };
}
