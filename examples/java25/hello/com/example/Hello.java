package com.example;

import io.nimbus.sdk.Context;
import io.nimbus.sdk.Handler;

import java.util.Map;

/** The handler field names this class: "com.example.Hello". */
public class Hello implements Handler {

    @Override
    public Object handleRequest(Object event, Context context) {
        Object name = event instanceof Map<?, ?> map ? map.get("name") : null;
        context.getLogger().info("greeting " + name);
        return Map.of("message", "Hello, " + (name == null ? "world" : name) + "!",
                "function", context.getFunctionName());
    }
}
