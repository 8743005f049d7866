import { createSocket, type Socket } from 'node:dgram';

/**
 * A real DNS server on 127.0.0.1 (UDP, RFC 1035 wire format) answering TXT queries from a
 * table the test fills: the peer that Enclave's domain verification (IDN-06) asks. Names not
 * in the table answer NXDOMAIN; other query types answer with no records.
 */
export interface TestDnsServer {
  /** `host:port`, as Enclave's `sso.dnsServers` takes it. */
  address: string;
  /** Publishes (or, with no values, withdraws) the TXT records of a name. */
  setTxt(name: string, values: string[]): void;
  /** Every name asked for, in order. */
  queries: string[];
  close(): Promise<void>;
}

const TXT = 16;

function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  while (message[at]! !== 0) {
    const length = message[at]!;
    labels.push(message.subarray(at + 1, at + 1 + length).toString('latin1'));
    at += 1 + length;
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 };
}

/** TXT RDATA: each value as one or more length-prefixed strings of at most 255 bytes. */
function txtData(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += 255) {
    const chunk = bytes.subarray(at, at + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(parts);
}

function answer(query: Buffer, records: Map<string, string[]>): { reply: Buffer; name: string } {
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const values = records.get(name);
  const answers = values !== undefined && type === TXT ? values : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  const recursionDesired = query[2]! & 0x01;
  header[2] = 0x84 | recursionDesired; // QR, AA
  header[3] = values === undefined ? 3 : 0; // NXDOMAIN for unknown names
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const resourceRecords = answers.map((value) => {
    const data = txtData(value);
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // the name, by pointer to the question
    record.writeUInt16BE(TXT, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(data.length, 10);
    return Buffer.concat([record, data]);
  });
  return { reply: Buffer.concat([header, question, ...resourceRecords]), name };
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, string[]>();
  const queries: string[] = [];
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    try {
      const { reply, name } = answer(message, records);
      queries.push(name);
      socket.send(reply, peer.port, peer.address);
    } catch {
      // A malformed query gets no answer, as from a real server.
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    setTxt(name, values) {
      if (values.length === 0) records.delete(name.toLowerCase());
      else records.set(name.toLowerCase(), values);
    },
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
