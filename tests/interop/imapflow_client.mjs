// imapflow (npm) as an IMAP client for tests/interop/test_imapflow.py.
//   node imapflow_client.mjs PREFIX PORT MODE USER PASSWORD APPEND_FILE [CA_FILE]
// PREFIX: where `npm install imapflow` put node_modules; MODE: plain | starttls (the server's
// certificate verified against CA_FILE).
// Connects, logs in, LISTs, creates "Archive", opens INBOX, FETCHes every message (source,
// envelope, bodyStructure, flags, uid, size), SEARCHes, adds flags, APPENDs APPEND_FILE, MOVEs a
// message to Archive, then IDLEs: it prints {"event":"idling"} on a line of its own and waits
// (15 s at most) for the EXISTS of the message the test delivers meanwhile, fetches it, and
// logs out. The last line of standard output is one JSON object with everything it saw.
import { createRequire } from "module";
import fs from "fs";
import path from "path";

const [prefix, port, mode, user, pass, appendFile, caFile] = process.argv.slice(2);
const require = createRequire(path.join(prefix, "package.json"));
const { ImapFlow } = require("imapflow");

const out = { steps: [] };
const say = (obj) => process.stdout.write(JSON.stringify(obj, (k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n");
const step = (name) => out.steps.push(name);

function envelopeOf(e) {
  if (!e) return null;
  const addrs = (l) => (l || []).map((a) => ({ name: a.name || "", address: a.address || "" }));
  return { subject: e.subject || "", messageId: e.messageId || "", from: addrs(e.from), to: addrs(e.to),
           date: e.date ? new Date(e.date).toISOString() : null };
}

function structureOf(b) {
  if (!b) return null;
  const r = { type: b.type, parameters: b.parameters || {}, encoding: b.encoding || null, size: b.size ?? null };
  if (b.childNodes) r.childNodes = b.childNodes.map(structureOf);
  if (b.disposition) r.disposition = b.disposition;
  return r;
}

function messageOf(m) {
  return { seq: m.seq, uid: m.uid, flags: [...(m.flags || [])].sort(), size: m.size ?? null,
           envelope: envelopeOf(m.envelope), bodyStructure: structureOf(m.bodyStructure),
           source: m.source ? m.source.toString("base64") : null };
}

const client = new ImapFlow({
  host: "127.0.0.1", port: Number(port), secure: false,
  doSTARTTLS: mode === "starttls",
  tls: caFile ? { ca: [fs.readFileSync(caFile)], rejectUnauthorized: true } : { rejectUnauthorized: false },
  auth: { user, pass }, logger: false, disableAutoIdle: true, connectionTimeout: 20000, greetingTimeout: 20000,
});
client.on("error", (err) => { out.error = String(err && err.stack || err); });

// Each step runs on when an earlier one failed (its error is kept in out.errors), so that one
// missing feature does not hide the others.
out.errors = {};
async function attempt(name, fn) {
  try {
    await fn();
    step(name);
  } catch (err) {
    out.errors[name] = String(err && (err.responseText || err.message) || err) + (err && err.response ? " / " + err.response : "");
  }
}

async function main() {
  await client.connect();
  step("connect");
  out.secure = Boolean(client.secureConnection || (client.socket && client.socket.encrypted));
  out.capabilities = [...client.capabilities.keys()].sort();
  await attempt("list", async () => {
    out.list = (await client.list()).map((m) => ({ path: m.path, delimiter: m.delimiter, specialUse: m.specialUse || null }));
  });
  await attempt("create", async () => { out.create = await client.mailboxCreate("Archive"); });
  const box = await client.mailboxOpen("INBOX");
  out.inbox = { exists: box.exists, uidValidity: box.uidValidity, uidNext: box.uidNext, readOnly: box.readOnly };
  step("open");
  out.fetch = [];
  await attempt("fetch", async () => {
    for await (const m of client.fetch("1:*", { uid: true, flags: true, source: true, size: true })) out.fetch.push(messageOf(m));
  });
  // ENVELOPE and BODYSTRUCTURE in a FETCH of their own.
  await attempt("structure", async () => {
    for await (const m of client.fetch("1:*", { uid: true, envelope: true, bodyStructure: true })) {
      const f = out.fetch.find((x) => x.uid === m.uid);
      if (f) { f.envelope = envelopeOf(m.envelope); f.bodyStructure = structureOf(m.bodyStructure); }
    }
  });
  const uids = out.fetch.map((m) => m.uid);
  out.search = {};
  for (const [k, q] of [["all", { all: true }], ["subject", { subject: "imapflow second" }], ["body", { body: "zebracorn" }],
                        ["unseen", { seen: false }], ["from", { from: "carol@example.net" }]]) {
    await attempt("search " + k, async () => { out.search[k] = await client.search(q, { uid: true }); });
  }
  await attempt("flags", async () => {
    out.flagsAdd = await client.messageFlagsAdd(String(uids[0]), ["\\Seen", "\\Flagged"], { uid: true });
    const after = await client.fetchOne(String(uids[0]), { uid: true, flags: true }, { uid: true });
    out.flagsAfter = [...after.flags].sort();
    out.unseenAfter = await client.search({ seen: false }, { uid: true });
  });
  await attempt("append", async () => {
    const content = fs.readFileSync(appendFile);
    out.append = await client.append("INBOX", content, ["\\Draft"], new Date("2024-02-03T04:05:06Z"));
    if (out.append && out.append.uid) {
      const got = await client.fetchOne(String(out.append.uid), { uid: true, source: true, flags: true, internalDate: true }, { uid: true });
      out.appended = { uid: got.uid, flags: [...got.flags].sort(), source: got.source.toString("base64"),
                       internalDate: got.internalDate ? new Date(got.internalDate).toISOString() : null };
    }
  });
  await attempt("move", async () => {
    out.move = await client.messageMove(String(uids[1]), "Archive", { uid: true });
    if (out.move && out.move.uidMap) out.move.uidMap = [...out.move.uidMap.entries()];
    out.statusArchive = await client.status("Archive", { messages: true, uidNext: true });
    out.statusInbox = await client.status("INBOX", { messages: true });
  });

  // IDLE: the test delivers a message into the Maildir when it reads "idling".
  const before = client.mailbox.exists;
  out.idle = { before, existsEvents: [] };
  const seen = new Promise((resolve) => {
    client.on("exists", (d) => { out.idle.existsEvents.push({ count: d.count, prevCount: d.prevCount }); resolve(d); });
  });
  await attempt("idle", async () => {
    const idling = client.idle();
    say({ event: "idling", exists: before });
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 15000));
    const ev = await Promise.race([seen, timeout]);
    out.idle.timedOut = ev === null;
    if (ev) {
      const m = await client.fetchOne(String(ev.count), { uid: true, source: true });
      out.idle.message = { seq: m.seq, uid: m.uid, source: m.source.toString("base64") };
    } else {
      await client.noop();
    }
    await idling;
  });
  await client.logout();
  step("logout");
}

main().then(() => { say(out); process.exit(Object.keys(out.errors).length ? 1 : 0); },
            (err) => { out.error = String(err && err.stack || err); if (err && err.response) out.response = String(err.response);
                       say(out); process.exit(1); });
