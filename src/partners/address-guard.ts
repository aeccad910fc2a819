import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Partner webhooks are written in flow files, so a URL could aim the server at itself or at
 * its neighbours (a database, a cloud metadata service). Only public unicast addresses are
 * reached: `ipaddr.js` names the special-purpose ranges (private, loopback, link-local, CGNAT,
 * unique-local, multicast, unspecified, reserved, documentation, benchmarking, 6to4, Teredo…)
 * from the IANA registries, with the IPv4-mapped and NAT64 forms, which is safer than a
 * hand-kept table; it has no dependencies of its own.
 */

/** Cloud metadata services, named apart in logs because they are the usual SSRF target. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);
/** NAT64 well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

/** A range name such as `loopback`, `private` or `metadata`; `undefined` when the address may be reached. */
export function refusedRange(address: string, allowLoopback: boolean): string | undefined {
  if (isIP(address) === 0) return 'not_an_address';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) ip = v6.toIPv4Address();
    else if (v6.match(NAT64)) ip = ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  if (METADATA_ADDRESSES.has(ip.toNormalizedString()) || METADATA_ADDRESSES.has(ip.toString()))
    return 'metadata';
  const range = ip.range();
  if (range === 'unicast' || (range === 'loopback' && allowLoopback)) return undefined;
  return range;
}

/** Refused before or during the connection; the client reports it as `address_refused`. */
export class AddressRefusedError extends Error {
  readonly code = 'address_refused';
  constructor(readonly range: string) {
    super(`partner address refused (${range})`);
    this.name = 'AddressRefusedError';
  }
}

export type PartnerUrlCheck =
  | { readonly ok: true; readonly url: URL; readonly allowLoopback: boolean }
  | { readonly ok: false; readonly refused: string };

/**
 * The first gate, before any connection: https only, plain http and loopback only for hosts
 * named in `PARTNER_HTTP_HOSTS`, and a numeric host checked here because Node connects to an
 * address literal without a lookup. The URL parser has already turned `127.1`, `0x7f000001`,
 * `2130706433` and `017700000001` into `127.0.0.1`, so the check sees the real address.
 */
export function checkPartnerUrl(raw: string, httpHosts: ReadonlySet<string>): PartnerUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, refused: 'not_a_url' };
  }
  const host = bareHost(url.hostname);
  const listed = httpHosts.has(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && listed))
    return { ok: false, refused: url.protocol === 'http:' ? 'http_not_allowed' : 'scheme' };
  if (isIP(host) !== 0) {
    const range = refusedRange(host, listed);
    if (range !== undefined) return { ok: false, refused: range };
  }
  return { ok: true, url, allowLoopback: listed };
}

/** Hosts as `PARTNER_HTTP_HOSTS` lists them and as URLs carry them: lower case, no brackets. */
export function bareHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
}

/** Every address a name resolves to, e.g. `dns.lookup` with `all: true`; injected in tests. */
export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error === null ? resolve(addresses) : reject(error),
    );
  });

/**
 * The second gate, a `lookup` for the request: the addresses are checked as the socket is
 * about to connect to them, so a name that resolved to a public address for an earlier check
 * and to a private one now (DNS rebinding) is still refused. A name with any refused address
 * is refused whole: a real partner never mixes private addresses into its public ones.
 */
export function guardedLookup(resolve: Resolve, allowLoopback: boolean): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (found) => {
        const refused = found
          .map((entry) => refusedRange(entry.address, allowLoopback))
          .find((range) => range !== undefined);
        if (refused !== undefined) return callback(new AddressRefusedError(refused), '');
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = found.filter((entry) => family === undefined || entry.family === family);
        const first = usable[0];
        if (first === undefined)
          return callback(
            Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
          );
        if (options.all === true) return callback(null, [...usable]);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
