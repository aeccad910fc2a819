/** The namespace (`locales/<language>/safeguarding.json`) of the lists and the signposting wording. */
export const SAFEGUARDING_NAMESPACE = 'safeguarding';

/**
 * Where the signposting reply sends people. The national numbers have UK defaults; the local
 * adult or children's safeguarding line differs by council, so it has none and is left out of
 * the wording until a deployment sets it.
 */
export interface SignpostingContacts {
  /** `SAFEGUARDING_EMERGENCY_NUMBER`, 999 by default. */
  readonly emergency: string;
  /** `SAFEGUARDING_NHS_NUMBER`, NHS 111 (111 Wales) by default. */
  readonly nhs: string;
  /** `SAFEGUARDING_SAMARITANS_NUMBER`, Samaritans' free 24-hour line 116 123 by default. */
  readonly samaritans: string;
  /** `SAFEGUARDING_LOCAL_LINE`: the council's safeguarding team. */
  readonly local: string | undefined;
}

export const UK_SIGNPOSTING: SignpostingContacts = Object.freeze({
  emergency: '999',
  nhs: '111',
  samaritans: '116 123',
  local: undefined,
});

/** The text key and its values: the wording with the local line only when there is one. */
export function signpostingText(contacts: SignpostingContacts): {
  readonly key: 'signposting' | 'signposting_local';
  readonly params: Readonly<Record<string, string>>;
} {
  const { emergency, nhs, samaritans, local } = contacts;
  return local === undefined
    ? { key: 'signposting', params: { emergency, nhs, samaritans } }
    : { key: 'signposting_local', params: { emergency, nhs, samaritans, local } };
}
