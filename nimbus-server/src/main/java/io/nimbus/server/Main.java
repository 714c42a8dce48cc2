package io.nimbus.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code nimbus up [--host H] [--port P] [--data-dir D] [--config FILE] [--store sqlite|postgres] [--db-url URL]}:
 * starts the server in the foreground until SIGINT or SIGTERM, then stops it cleanly.
 */
public final class Main {
    private static final String USAGE = """
            usage: nimbus up [--host HOST] [--port PORT] [--data-dir DIR] [--config FILE]
                             [--store sqlite|postgres] [--db-url JDBC_URL] [--sandbox namespace|gvisor|process]
            Every setting can also come from a NIMBUS_* environment variable or the YAML file; see the README.""";
    private static final Map<String, Setting> FLAGS = Map.of(
            "--host", Setting.HOST,
            "--port", Setting.PORT,
            "--data-dir", Setting.DATA_DIR,
            "--store", Setting.STORE,
            "--db-url", Setting.DB_URL,
            "--sandbox", Setting.SANDBOX);

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Logger log = LoggerFactory.getLogger(Main.class);
        Nimbus nimbus;
        try {
            nimbus = Nimbus.start(parse(args));
        } catch (HelpRequested e) {
            System.out.println(e.getMessage());
            System.out.println(USAGE);
            return;
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        } catch (NimbusConfig.ConfigException e) {
            System.err.println("nimbus: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            log.error("Nimbus could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            nimbus.close();
            log.info("stopped");
            stopped.countDown();
        }, "nimbus-shutdown"));
        log.info("Nimbus is listening on http://{}:{}", nimbus.host(), nimbus.port());
        stopped.await();
    }

    static NimbusConfig parse(String[] args) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        String configFile = null;
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("--")) {
            if (!args[0].equals("up")) {
                throw new UsageException("unknown command '" + args[0] + "'");
            }
            i = 1;
        }
        for (; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new HelpRequested("Nimbus, a serverless function platform.");
            }
            if (i + 1 >= args.length) {
                throw new UsageException("flag " + flag + " needs a value");
            }
            String value = args[++i];
            if (flag.equals("--config")) {
                configFile = value;
            } else if (FLAGS.containsKey(flag)) {
                flags.put(FLAGS.get(flag), value);
            } else {
                throw new UsageException("unknown flag " + flag);
            }
        }
        return NimbusConfig.load(flags, configFile, System.getenv());
    }

    private static class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static final class HelpRequested extends UsageException {
        HelpRequested(String message) {
            super(message);
        }
    }
}
