import { describe, expect, it } from 'vitest';
import { changeLines } from './changes';

const t = (name: string) => ({ id: name, name, prefix: `kbai_pk_${name.slice(0, 4)}` });

describe('what changed since the previous sync', () => {
  it('says each kind of change, in order, with names and prefixes', () => {
    expect(
      changeLines({
        since: '2026-12-03T08:00:00Z',
        new_tokens: [t('CI deploy')],
        revoked: [t('Old key'), t('Leaked')],
        used: [t('Zapier')],
        new_addresses: [{ token: t('Zapier'), ip: '198.51.100.7' }],
      }),
    ).toEqual([
      '1 new token: CI deploy (kbai_pk_CI d)',
      '2 tokens revoked: Old key (kbai_pk_Old ), Leaked (kbai_pk_Leak)',
      '1 token used since: Zapier (kbai_pk_Zapi)',
      'Zapier (kbai_pk_Zapi) used from a new address: 198.51.100.7',
    ]);
  });
  it('says nothing when nothing changed', () => {
    expect(changeLines({ since: '2026-12-03T08:00:00Z', new_tokens: [], revoked: [], used: [], new_addresses: [] })).toEqual([]);
  });
});
