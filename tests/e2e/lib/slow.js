// slow.js - a hostile slow client for the whole-process tests: opens one
// connection to a node and misbehaves in one way, then reports whether (and
// after how many bytes) the node closed the connection.
//
// usage: node slow.js MODE ADDR CERTDIR CERT MAXSECONDS
//   MODE headers  TLS, then a request line and headers dribbled one byte
//                 every 250 ms, never finished (slowloris)
//        body     TLS, complete headers announcing a 1000-byte body, 10
//                 bytes of it, then nothing
//        tls      plain TCP connection that never starts the TLS handshake
//        plain-headers  like headers, without TLS (development mode)
//   ADDR  host:port; CERTDIR holds ca.pem and CERT.pem/CERT.key
// Prints "closed after N bytes in S s" when the node closed the connection,
// or "still open after N bytes" when MAXSECONDS passed first; exits 0 either way.
'use strict';
const fs = require('fs');
const net = require('net');
const tls = require('tls');

const [mode, addr, certdir, cert, maxs] = process.argv.slice(2);
const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
const started = Date.now();
let sent = 0;
let done = false;
let timer = null;

function finish(line) {
  if (done) return;
  done = true;
  if (timer) clearInterval(timer);
  console.log(line);
  process.exit(0);
}

function closed() {
  finish(`closed after ${sent} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function dribble(sock, text) {
  let i = 0;
  timer = setInterval(() => {
    if (i >= text.length) i = text.length - 1; // keep sending the last header byte
    sock.write(text[i++], (err) => { if (err) closed(); });
    sent++;
  }, 250);
}

let sock;
if (mode === 'tls') {
  sock = net.connect(port, host);
} else if (mode === 'plain-headers') {
  sock = net.connect(port, host, () => dribble(sock, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
} else {
  sock = tls.connect({
    host, port, servername: 'localhost',
    ca: fs.readFileSync(`${certdir}/ca.pem`),
    cert: fs.readFileSync(`${certdir}/${cert}.pem`),
    key: fs.readFileSync(`${certdir}/${cert}.key`),
  }, () => {
    if (mode === 'headers') {
      dribble(sock, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    } else {
      const head = 'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789';
      sock.write(head);
      sent += head.length;
    }
  });
}
sock.on('data', () => {});
sock.on('error', closed);
sock.on('close', closed);
sock.on('end', closed);
setTimeout(() => finish(`still open after ${sent} bytes`), Number(maxs) * 1000);
