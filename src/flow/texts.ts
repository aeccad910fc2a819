import { join } from 'node:path';
import type { TextCatalog } from '../i18n/catalog.js';
import { COMMON_KEYS } from '../engine/common-text.js';
import { COMMON_NAMESPACE } from '../engine/types.js';
import type { Locate, ParsedFlow } from './parse.js';
import { joinPath, type FlowProblem } from './problems.js';
import { consentDeclinedKey } from './consent.js';
import { isQuestion, stepTextKey } from './steps.js';

/**
 * Every text a flow speaks must exist in every language it declares. Plain and role
 * variants are optional: they fall back to the standard wording.
 */
export function checkFlowTexts(
  file: string,
  flow: ParsedFlow,
  locate: Locate,
  catalog: TextCatalog,
  localesDir: string,
): FlowProblem[] {
  const { header, steps } = flow;
  const wanted: { key: string; path: (string | number)[] }[] = [{ key: 'title', path: ['title'] }];
  for (const [id, step] of Object.entries(steps)) {
    const key = stepTextKey(id, step);
    const keyPath = isQuestion(step) ? (step.text === undefined ? [] : ['text']) : ['say'];
    if (key !== undefined) wanted.push({ key, path: ['steps', id, ...keyPath] });
    if (!isQuestion(step)) continue;
    if (step.ask === 'choice' && step.sets !== 'language') {
      step.options.forEach((option, i) =>
        wanted.push({ key: `options.${option}`, path: ['steps', id, 'options', i] }),
      );
    }
    if (step.ask === 'scale' && step.labels !== undefined) {
      step.labels.forEach((label, i) =>
        wanted.push({ key: label, path: ['steps', id, 'labels', i] }),
      );
    }
    if (step.ask === 'consent') {
      const key = consentDeclinedKey(id, step);
      wanted.push({
        key,
        path: ['steps', id, ...(step.declined === undefined ? [] : ['declined'])],
      });
    }
    if (step.ask === 'open' && typeof step.follow_up === 'string') {
      wanted.push({ key: step.follow_up, path: ['steps', id, 'follow_up'] });
    }
  }

  const problems: FlowProblem[] = [];
  header.languages.forEach((language, i) => {
    const flowFile = join(localesDir, language, `${header.id}.json`);
    const commonFile = join(localesDir, language, `${COMMON_NAMESPACE}.json`);
    const at = (path: (string | number)[]): Pick<FlowProblem, 'path' | 'line' | 'column'> => ({
      path: joinPath(path),
      ...locate(path),
    });
    if (catalog.resources[language]?.[header.id] === undefined) {
      problems.push({
        file,
        ...at(['languages', i]),
        message: `no translations for '${language}': ${flowFile} is missing`,
        fix: `create ${flowFile}, or remove '${language}' from languages`,
      });
      return;
    }
    for (const { key, path } of wanted) {
      if (!catalog.has(language, header.id, key)) {
        problems.push({
          file,
          ...at(path),
          message: `text '${key}' is missing in ${flowFile}`,
          fix: `add "${key}" there (a plain "${key}_plain" is optional)`,
        });
      }
    }
    const missingCommon = COMMON_KEYS.filter(
      (key) => !catalog.has(language, COMMON_NAMESPACE, key),
    );
    if (missingCommon.length > 0) {
      problems.push({
        file,
        ...at(['languages', i]),
        message: `shared texts missing in ${commonFile}: ${missingCommon.join(', ')}`,
        fix: 'copy them from the English common.json and translate them',
      });
    }
  });
  return problems;
}
