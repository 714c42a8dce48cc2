package com.example;

import io.nimbus.sdk.Context;
import io.nimbus.sdk.Handler;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON transformation: an order ({"items":[{"sku","price","quantity"}], "tax_rate"}) in,
 * its lines and totals out, computed in exact decimals.
 */
public class OrderTotal implements Handler {

    @Override
    public Object handleRequest(Object event, Context context) {
        Map<?, ?> order = (Map<?, ?>) event;
        BigDecimal subtotal = BigDecimal.ZERO;
        int units = 0;
        for (Object entry : (List<?>) order.get("items")) {
            Map<?, ?> item = (Map<?, ?>) entry;
            int quantity = ((Number) item.get("quantity")).intValue();
            subtotal = subtotal.add(new BigDecimal(item.get("price").toString()).multiply(BigDecimal.valueOf(quantity)));
            units += quantity;
        }
        Object rate = order.get("tax_rate");
        BigDecimal tax = subtotal.multiply(new BigDecimal(rate == null ? "0" : rate.toString()))
                .setScale(2, RoundingMode.HALF_EVEN);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("units", units);
        result.put("subtotal", subtotal.setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        result.put("tax", tax.toPlainString());
        result.put("total", subtotal.add(tax).setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        return result;
    }
}
