// functions-framework hello (bench/harness.py starts it with --target=hello): reads the JSON body
// (the framework's body parser) and answers {"hello":"world"}, like Nimbus's hello functions.
const functions = require('@google-cloud/functions-framework');

functions.http('hello', (req, res) => {
  res.json({hello: 'world'});
});
