import type { Writable } from 'node:stream';
import type { ResponseStore } from '../responses/response-store.js';
import { exportColumns, scanAnswerNames, type ExportedFlow } from './columns.js';
import { writeResponses, type ExportFormat } from './exporter.js';

export interface FlowExportRequest {
  readonly flow: ExportedFlow;
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
 * Gets a flow's export ready to stream. A CSV needs every answer name for its header before
 * its first row, so it reads the records once here (keeping only the names) and then writes
 * as many records as that read counted: records stored meanwhile wait for the next export.
 * Reading here, before anything is sent, lets a store that is down be reported properly.
 */
export async function prepareFlowExport(request: FlowExportRequest): Promise<PreparedExport> {
  const { flow, responses, format, since } = request;
  const fileName = `${flow.id}-responses.${format}`;
  if (format === 'json') {
    // A JSON row carries its own answer names: one read to know the store answers is enough.
    await responses.count(flow.id);
    const columns = exportColumns(flow);
    return {
      fileName,
      write: (output) =>
        writeResponses(responses.list(flow.id, { since }), output, { format, columns }),
    };
  }
  const recorded = await scanAnswerNames(responses.list(flow.id, { since }));
  const columns = exportColumns(flow, recorded.names);
  return {
    fileName,
    write: (output) =>
      writeResponses(firstOf(responses.list(flow.id, { since }), recorded.count), output, {
        format,
        columns,
      }),
  };
}

async function* firstOf<T>(items: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  if (limit === 0) return;
  let taken = 0;
  for await (const item of items) {
    yield item;
    if (++taken === limit) return;
  }
}
