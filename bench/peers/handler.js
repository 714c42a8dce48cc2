// serverless-offline Node hello (an AWS Lambda proxy handler behind an `http` event).
exports.hello = async (event) => ({
  statusCode: 200,
  headers: {'Content-Type': 'application/json'},
  body: JSON.stringify({hello: 'world'}),
});
