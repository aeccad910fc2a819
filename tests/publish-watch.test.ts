import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/i18n/catalog.js';
import { prepareRelease } from '../src/flow/release.js';
import {
  answer,
  FLOW_ID,
  question,
  startConversation,
  waitForLog,
  workspace,
  type Workspace,
} from './helpers/publish-workspace.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

function versionOf(space: Workspace): string {
  const { catalog } = loadCatalog(space.localesDir);
  const loaded = prepareRelease(space.flowFile, { catalog, localesDir: space.localesDir });
  if (!loaded.ok) throw new Error(`fixture should load: ${JSON.stringify(loaded.problems)}`);
  return loaded.flow.version;
}

describe('embedded mode: the server takes edits to FLOWS_DIR while it runs', () => {
  let server: ServerProcess;
  let files: Workspace;

  beforeAll(async () => {
    files = workspace('v1');
    server = await startServerProcess({ FLOWS_DIR: files.flowsDir, LOCALES_DIR: files.localesDir });
  });
  afterAll(async () => {
    await server?.stop();
    files?.remove();
  });

  it('puts an edited file in service, keeps conversations on their version and refuses a broken edit', async () => {
    const v1 = versionOf(files);
    const alice = await startConversation(server);
    expect(question(alice.turn)?.stepId).toBe('rating');

    files.use('v2');
    const v2 = versionOf(files);
    expect(v2).not.toBe(v1);
    expect(
      await waitForLog(server, (e) => e['msg'] === 'flow version live' && e['version'] === v2),
    ).toMatchObject({ flowId: FLOW_ID, file: `${FLOW_ID}.yaml` });

    // Alice started on version 1 and finishes on it; Bob gets version 2.
    expect(question(await answer(server, alice.id, '3'))?.stepId).toBe('parking');
    const bob = await startConversation(server);
    expect(question(await answer(server, bob.id, '3'))?.stepId).toBe('why');

    files.use('broken');
    const refused = await waitForLog(server, (e) => e['code'] === 'flow_file_refused');
    expect(refused).toMatchObject({ file: `${FLOW_ID}.yaml` });
    expect(refused['problems']).toEqual([
      `${files.flowFile}:16:11: steps.rating.next: no step named 'reason' (fix: name an existing step)`,
    ]);
    const carol = await startConversation(server);
    expect(question(await answer(server, carol.id, '3'))?.stepId).toBe('why');
    expect((await answer(server, alice.id, 'no')).replies.at(-1)?.stepId).toBe('why');
  });
});
