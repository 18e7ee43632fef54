// Sends one raw message with nodemailer (used by test_nodemailer.py):
// node nodemailer_send.js PORT MODE FILE FROM TO[,TO...] [USER PASS [METHOD]]
// MODE: plain | starttls | tls (implicit). Prints the info object as JSON; exit 1 on failure.
const fs = require("fs");
const nodemailer = require("nodemailer");
const [port, mode, file, from, to, user, pass, method] = process.argv.slice(2);
const opts = {
  host: "127.0.0.1",
  port: Number(port),
  secure: mode === "tls",
  ignoreTLS: mode === "plain",
  requireTLS: mode === "starttls",
  name: "client.test",
  tls: { rejectUnauthorized: false },
};
if (user) opts.auth = { user, pass };
if (method) opts.authMethod = method;
const t = nodemailer.createTransport(opts);
t.sendMail({ envelope: { from, to: to.split(",") }, raw: fs.readFileSync(file) })
  .then((info) => { console.log(JSON.stringify(info)); process.exit(0); })
  .catch((e) => { console.error(String(e)); process.exit(1); });
