import type { PartnerDef, StepDef } from './schema.js';
import { isQuestion, saveName } from './steps.js';
import { didYouMean } from './suggest.js';

type Add = (path: (string | number)[], message: string, fix?: string) => void;

/**
 * What the `partners:` list means together with the steps: each partner has one place to be
 * sent to, a webhook names its signing secret, every field it wants is asked for, and open
 * text goes to a partner only when the flow says so in as many words.
 */
export function checkPartners(
  partners: readonly PartnerDef[],
  steps: Readonly<Record<string, StepDef>>,
  add: Add,
): void {
  const saved = new Map<string, boolean>();
  for (const [id, step] of Object.entries(steps)) {
    if (!isQuestion(step)) continue;
    const name = saveName(id, step);
    saved.set(name, (saved.get(name) ?? false) || step.ask === 'open');
  }
  partners.forEach((partner, i) => {
    checkDestination(partner, i, add);
    partner.fields.forEach((field, j) => {
      const openText = saved.get(field);
      if (openText === undefined)
        add(
          ['partners', i, 'fields', j],
          `no step saves '${field}'${didYouMean(field, saved.keys())}`,
          'name a save: of one of the questions',
        );
      else if (openText && partner.include_open_text !== true)
        add(
          ['partners', i, 'fields', j],
          `'${field}' is open text, which can identify a person, and partner '${partner.id}' is not set to receive it`,
          `add include_open_text: true to partner '${partner.id}', or remove '${field}' from its fields`,
        );
    });
  });
}

function checkDestination(partner: PartnerDef, i: number, add: Add): void {
  if (partner.webhook === undefined && partner.file === undefined)
    add(
      ['partners', i],
      `partner '${partner.id}' has nowhere to be sent to`,
      'add webhook: https://… or file: <name>.jsonl',
    );
  else if (partner.webhook !== undefined && partner.file !== undefined)
    add(
      ['partners', i],
      `partner '${partner.id}' has both a webhook and a file`,
      'keep one, or list the partner twice under different ids',
    );
  else if (partner.webhook !== undefined && partner.secret_env === undefined)
    add(
      ['partners', i],
      `partner '${partner.id}' has a webhook but no signing secret`,
      'add secret_env: NAME, the variable that holds its whsec_ secret',
    );
}
