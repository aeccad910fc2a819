/** Keys of the shared namespace that the engine speaks; every language a flow offers needs them. */
export const COMMON_KEYS = [
  'yes',
  'no',
  'language_name',
  'hint_yes_no',
  'hint_choice',
  'hint_choice_multiple',
  'hint_scale',
  'hint_scale_unlabelled',
  'hint_number',
  'hint_number_range',
  'follow_up',
  'follow_up_go_ahead',
  'reask',
  'move_on',
  'skipped',
  'help',
  'help_languages',
  'help_plain_offer',
  'stopped',
  'language_changed',
  'variant_changed',
  'reminder',
  'opted_in',
] as const;

export type CommonKey = (typeof COMMON_KEYS)[number];
