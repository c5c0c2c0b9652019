/**
 * A syntactic sanity check of a BPF capture filter before it is sent: the engine (libpcap's
 * pcap_compile) has the last word. This catches what is certainly wrong (unbalanced brackets,
 * dangling operators, characters BPF has no use for) and warns on words that are not BPF keywords
 * where a primitive starts (libpcap reads a bare word there as a host name, which is rarely meant).
 */
const MAX_LENGTH = 4096;

const KEYWORDS = new Set(
  (
    'dst src host net port portrange proto ether ip ip6 arp rarp tcp udp icmp icmp6 sctp igmp igrp pim ' +
    'vrrp carp ah esp vlan mpls pppoes pppoed geneve vxlan gateway broadcast multicast less greater len ' +
    'mask and or not inbound outbound ifname on rulenum reason rset srcrule action wlan type subtype ' +
    'addr1 addr2 addr3 addr4 ta ra dir direction atalk aarp decnet iso stp ipx netbeui lat moprc mopdl ' +
    'sca esis isis clnp llc fddi tr link ppp slip radio protochain ' +
    'icmptype icmpcode tcpflags tcp-fin tcp-syn tcp-rst tcp-push tcp-ack tcp-urg tcp-ece tcp-cwr ' +
    'icmp-echoreply icmp-unreach icmp-sourcequench icmp-redirect icmp-echo icmp-routeradvert ' +
    'icmp-routersolicit icmp-timxceed icmp-paramprob icmp-tstamp icmp-tstampreply icmp-ireq ' +
    'icmp-ireqreply icmp-maskreq icmp-maskreply icmp6type icmp6code'
  ).split(' '),
);

const LOGICAL_BINARY = new Set(['and', 'or', '&&', '||']);
const LOGICAL_UNARY = new Set(['not', '!']);

export interface FilterCheck {
  /** Certainly invalid: do not start. */
  errors: string[];
  /** Probably not what was meant; starting is allowed. */
  warnings: string[];
}

type Tok = { kind: 'word' | 'op' | 'open' | 'close'; text: string; at: number };

const WORD = /[A-Za-z0-9_.:\-/]/;
const OPS = [
  '&&',
  '||',
  '!=',
  '==',
  '<=',
  '>=',
  '<<',
  '>>',
  '!',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '&',
  '|',
  '^',
  '%',
  ':',
];

function tokenize(s: string, errors: string[]): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  // Bounded: every turn consumes at least one character.
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === '[') {
      out.push({ kind: 'open', text: c, at: i++ });
    } else if (c === ')' || c === ']') {
      out.push({ kind: 'close', text: c, at: i++ });
    } else if (/[A-Za-z0-9_]/.test(c)) {
      const start = i;
      while (i < s.length && WORD.test(s[i]!)) i++;
      out.push({ kind: 'word', text: s.slice(start, i), at: start });
    } else {
      const op = OPS.find((o) => s.startsWith(o, i));
      if (!op) {
        errors.push(`"${c}" at position ${i + 1} has no meaning in a capture filter`);
        i++;
      } else {
        out.push({ kind: 'op', text: op, at: i });
        i += op.length;
      }
    }
  }
  return out;
}

export function checkBpf(filter: string): FilterCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const s = filter.trim();
  if (s === '') return { errors, warnings };
  if (s.length > MAX_LENGTH) return { errors: [`a filter is at most ${MAX_LENGTH} characters`], warnings };
  if (/[^\x20-\x7e\t\r\n]/.test(s)) return { errors: ['a capture filter is plain ASCII text'], warnings };
  if (/["'`]/.test(s)) errors.push('capture filters have no quotes: write names and values bare');

  const toks = tokenize(s, errors);
  const stack: Tok[] = [];
  let prev: Tok | null = null;
  for (const t of toks) {
    const lower = t.text.toLowerCase();
    const isBinary = (t.kind === 'word' || t.kind === 'op') && LOGICAL_BINARY.has(lower);
    const isUnary = (t.kind === 'word' || t.kind === 'op') && LOGICAL_UNARY.has(lower);
    const prevLower = prev?.text.toLowerCase() ?? '';
    const prevLogical = prev !== null && (LOGICAL_BINARY.has(prevLower) || LOGICAL_UNARY.has(prevLower));
    if (t.kind === 'open') stack.push(t);
    if (t.kind === 'close') {
      const open = stack.pop();
      if (!open) errors.push(`"${t.text}" at position ${t.at + 1} closes nothing`);
      else if ((open.text === '(') !== (t.text === ')')) {
        errors.push(`"${open.text}" at position ${open.at + 1} is closed by "${t.text}"`);
      }
      if (prevLogical) errors.push(`"${prev!.text}" before "${t.text}" has nothing to apply to`);
      if (prev?.kind === 'open') errors.push(`empty brackets at position ${prev.at + 1}`);
    }
    if (isBinary && (prev === null || prev.kind === 'open' || prevLogical)) {
      errors.push(`"${t.text}" at position ${t.at + 1} needs an expression before it`);
    }
    // A word where a primitive starts: at the beginning, after a logical operator or an opening parenthesis.
    const atStart = prev === null || prev.text === '(' || prevLogical;
    if (t.kind === 'word' && !isBinary && !isUnary && atStart && !KEYWORDS.has(lower)) {
      if (/^[a-z][a-z0-9_-]*$/i.test(t.text) && !/^\d/.test(t.text)) {
        warnings.push(`"${t.text}" is not a filter keyword; it will be read as a host name`);
      }
    }
    prev = t;
  }
  for (const open of stack) errors.push(`"${open.text}" at position ${open.at + 1} is never closed`);
  if (prev !== null) {
    const last = prev.text.toLowerCase();
    if (LOGICAL_BINARY.has(last) || LOGICAL_UNARY.has(last) || (prev.kind === 'op' && last !== ')')) {
      errors.push(`the filter ends with "${prev.text}", which needs something after it`);
    }
  }
  return { errors: [...new Set(errors)].slice(0, 5), warnings: [...new Set(warnings)].slice(0, 5) };
}
