import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Builds a runtime and the app in a fresh process (embedded, Twilio set up, no Slack) and
 * reports which CommonJS packages that loaded: Bolt and Twilio's REST client are heavy, and
 * are loaded only when Slack is set up or a REST send happens.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
const root = process.cwd() + '/';
const { loadConfig } = await import(root + 'src/config.ts');
const { createRuntime } = await import(root + 'src/runtime.ts');
const { createApp } = await import(root + 'src/http/app.ts');
const { createLogger } = await import(root + 'src/logger.ts');
await import(root + 'src/cli/launch.ts');
await import(root + 'src/cli/invite-slack.ts');
const env = {
  NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://carevoice.example.org',
  TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32), TWILIO_AUTH_TOKEN: 'f'.repeat(32), TWILIO_FROM: '+447700900000',
};
const runtime = await createRuntime(loadConfig(env), { logger: createLogger('silent') });
createApp(runtime);
const files = Object.keys(createRequire(root).cache);
const loaded = (folder) => files.some((file) => file.includes('/node_modules/' + folder + '/'));
process.stdout.write(JSON.stringify({
  bolt: loaded('@slack/bolt'),
  twilioRest: loaded('twilio/lib/rest'),
  twilioWebhooks: loaded('twilio/lib/webhooks'),
}));
await runtime.close();
`;

describe('libraries loaded at start', () => {
  it('leaves out Bolt without Slack and the Twilio REST client until a send', () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    // The webhook check is loaded: the cache is read right.
    expect(JSON.parse(child.stdout)).toEqual({
      bolt: false,
      twilioRest: false,
      twilioWebhooks: true,
    });
  });
});
