package io.nimbus.functions;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.Webhook;
import io.nimbus.domain.WebhookRequest;
import io.nimbus.domain.WebhookStore;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhooks: issuing a function's secret key (shown once, stored as its SHA-256), finding the
 * function a key belongs to, and checking a request's HMAC-SHA256 signature GitHub's way
 * ({@code sha256=<hex>}), in constant time.
 */
public final class Webhooks {
    public static final String DEFAULT_SIGNATURE_HEADER = "X-Hub-Signature-256";
    private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
    private static final int MAX_SECRET_LENGTH = 256;
    private static final String SIGNATURE_PREFIX = "sha256=";

    private final WebhookStore store;
    private final FunctionService functions;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** A webhook just issued, with the key that is never shown again. */
    public record Issued(Webhook webhook, String key) {
    }

    public Webhooks(WebhookStore store, FunctionService functions, Clock clock) {
        this.store = store;
        this.functions = functions;
        this.clock = clock;
    }

    /** Issues a new key for the function; its previous key, if any, stops working. */
    public Issued issue(String ref, WebhookRequest request) {
        Function function = functions.require(ref);
        String secret = request.hmacSecret();
        if (secret != null && (secret.isEmpty() || secret.length() > MAX_SECRET_LENGTH)) {
            throw DomainException.invalid("hmac_secret", "hmac_secret must be 1 to " + MAX_SECRET_LENGTH + " characters");
        }
        String header = request.signatureHeader() == null ? DEFAULT_SIGNATURE_HEADER : request.signatureHeader();
        if (!HEADER_NAME.matcher(header).matches()) {
            throw DomainException.invalid("signature_header", "signature_header must be an HTTP header name");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Webhook webhook = new Webhook(function.id(), hash(key), secret, secret == null ? null : header,
                clock.instant().truncatedTo(ChronoUnit.MILLIS));
        store.save(webhook);
        return new Issued(webhook, key);
    }

    public void delete(String ref) {
        Function function = functions.require(ref);
        if (!store.delete(function.id())) {
            throw DomainException.notFound("webhook of function", ref);
        }
    }

    /** The webhook a key opens, or 404: an unknown key and a wrong one look the same. */
    public Webhook require(String key) {
        return store.findByKeyHash(hash(key)).orElseThrow(() -> DomainException.notFound("webhook", "…"));
    }

    /**
     * Whether a request to {@code webhook} may run: always without an HMAC secret; with one,
     * when the signature header (names compared case-blind) signs the body.
     */
    public static boolean signedAsRequired(Webhook webhook, Map<String, String> lowerCaseHeaders, byte[] body) {
        if (webhook.hmacSecret() == null) {
            return true;
        }
        String signature = lowerCaseHeaders.get(webhook.signatureHeader().toLowerCase(java.util.Locale.ROOT));
        if (signature == null || !signature.startsWith(SIGNATURE_PREFIX)) {
            return false;
        }
        byte[] expected = (SIGNATURE_PREFIX + HexFormat.of().formatHex(hmac(webhook.hmacSecret(), body)))
                .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always present", e);
        }
    }

    private static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
