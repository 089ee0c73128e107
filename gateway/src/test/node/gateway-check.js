// Driven by GatewayNodePgIT: node-postgres (pg) through the Warden gateway with the customers example
// policy. Prints one line per check; the test compares them. Usage: node gateway-check.js PORT
'use strict';
const { Client } = require('pg');

const port = Number(process.argv[2]);

async function as(user) {
  // the gateway's users authenticate with SCRAM-SHA-256, which pg speaks by default
  const c = new Client({ host: '127.0.0.1', port, user, password: 'pw', database: 'app', application_name: 'node-it' });
  await c.connect();
  return c;
}

async function refusal(client, sql) {
  try {
    await client.query(sql);
    return 'allowed';
  } catch (e) {
    return 'refused ' + e.code;
  }
}

(async () => {
  const out = [];
  const bill = await as('bill');
  let r = await bill.query('select 1 + 1 as two');
  out.push('simple ' + r.rows[0].two);
  r = await bill.query('select $1::int * 2 as doubled, $2::text as t', [21, 'h\u00e9llo']);
  out.push('params ' + r.rows[0].doubled + ' ' + r.rows[0].t);
  await bill.query('insert into customers(name, email, card_number, country) values ($1, $2, $3, $4)',
    ['Nel Node', 'nel@example.com', '4000056655665556', 'NL']);
  r = await bill.query('select email, card_number from customers where email = $1', ['nel@example.com']);
  out.push('billing ' + r.rows[0].email + ' ' + r.rows[0].card_number);

  const sam = await as('sam');
  r = await sam.query('select email, card_number from customers where email = $1', ['nel@example.com']);
  out.push('support ' + r.rows[0].email + ' ' + r.rows[0].card_number);

  const ann = await as('ann');
  r = await ann.query("select email from customers where name = 'Nel Node'");
  out.push('analyst ' + r.rows[0].email);
  out.push('analyst card_number ' + await refusal(ann, 'select card_number from customers'));
  out.push('order by email ' + await refusal(bill, 'select email from customers order by lower(email)'));
  r = await ann.query('select 1 as still_usable');
  out.push('after refusal ' + r.rows[0].still_usable);

  // LISTEN/NOTIFY: ann listens and waits without sending anything; bill notifies through the gateway
  await ann.query('LISTEN node_chan');
  const heard = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no notification within 10 s')), 10000);
    ann.once('notification', (msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
  await bill.query("select pg_notify('node_chan', 'from bill')");
  const msg = await heard;
  out.push('notification ' + msg.channel + ' ' + msg.payload + ' ' + (msg.processId > 0));

  await Promise.all([bill.end(), sam.end(), ann.end()]);
  console.log(out.join('\n'));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
