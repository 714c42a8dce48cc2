# serverless-offline Python 3.11 hello (an AWS Lambda proxy handler behind an `http` event).
import json


def hello(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"hello": "world"})}
