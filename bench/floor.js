// The HTTP floor: the least work a Node HTTP server can do per request (reads the body, answers JSON).
const http = require('http');
const body = JSON.stringify({ hello: 'world' });
http.createServer((req, res) => req.on('data', () => {}).on('end', () => res.end(body)))
  .listen(Number(process.argv[2]), '127.0.0.1', () => console.log('ready'));
