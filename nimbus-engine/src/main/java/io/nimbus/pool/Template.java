package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.sandbox.SandboxLimits;
import io.nimbus.sandbox.SandboxedWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A worker of one function version that has loaded the function and then only forks: every
 * child starts with the module already imported, so a function whose import takes 300 ms
 * gets its later instances in a few milliseconds (seed 002's fork-after-load). The template
 * never runs an invocation, so every child starts from the same freshly loaded state.
 *
 * <p>A few children are forked ahead and wait, connected and under their own limits: taking
 * one costs nothing but the hand-over. Children connect back to a unix socket in the template's fork directory and name
 * themselves with the token the host gave them in Fork (which becomes their instance id).
 * The sandbox backend then gives each child limits of its own ({@link SandboxedWorker#adoptChild}). The children live in
 * the template's sandbox, so the template must outlive them: its pool closes it only when
 * it has no instances left.
 */
final class Template implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Template.class);
    static final String SOCKET = "fork.sock";
    private static final int MAX_TOKEN_BYTES = 64;

    private final Instance worker;
    private final SandboxedWorker sandboxed;
    private final Path forkDir;
    private final ServerSocketChannel server;
    private final Map<String, CompletableFuture<SocketChannel>> expected = new ConcurrentHashMap<>();
    /** The template speaks one exchange at a time. */
    private final ReentrantLock forking = new ReentrantLock();
    private volatile long lastForkNanos = System.nanoTime();
    /** Children forked ahead of need, so that a new instance need not wait for a fork. */
    private final Deque<Forked> spares = new ConcurrentLinkedDeque<>();
    private final SandboxLimits childLimits;
    private final int spareTarget;
    private final AtomicBoolean refilling = new AtomicBoolean();
    private volatile boolean closed;

    private Template(Instance worker, SandboxedWorker sandboxed, Path forkDir, ServerSocketChannel server,
                     SandboxLimits childLimits, int spareTarget) {
        this.childLimits = childLimits;
        this.spareTarget = spareTarget;
        this.worker = worker;
        this.sandboxed = sandboxed;
        this.forkDir = forkDir;
        this.server = server;
        Thread.ofVirtual().name("template-acceptor-" + worker.id()).start(this::accept);
    }

    /** Opens the socket children will connect to; {@code forkDir} is made by the caller. */
    static ServerSocketChannel listen(Path forkDir) throws IOException {
        Path socket = forkDir.resolve(SOCKET);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            // connecting needs write permission; the worker runs as another uid
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * A template around an initialized worker that was started with {@code forkDir}, whose
     * children run under {@code childLimits}, keeping {@code spareTarget} of them forked ahead.
     */
    static Template of(Instance worker, SandboxedWorker sandboxed, Path forkDir, ServerSocketChannel server,
                       SandboxLimits childLimits, int spareTarget, long timeoutMs) {
        Template template = new Template(worker, sandboxed, forkDir, server, childLimits, spareTarget);
        template.refilling.set(true);
        template.refill(timeoutMs); // ready means ready with its spares
        return template;
    }

    Function function() {
        return worker.function();
    }

    boolean isAlive() {
        return !closed && worker.isAlive();
    }

    long idleNanos(long now) {
        return now - lastForkNanos;
    }

    /** A forked child, connected, not yet adopted. */
    private record Child(String token, long pidInSandbox, SocketChannel channel, Path strayOutput) {
        void discard() {
            try {
                channel.close(); // the child reads end-of-stream and exits
            } catch (IOException ignored) {
                // closed already
            }
            Directories.deleteQuietly(strayOutput);
        }
    }

    /** A forked child under limits of its own, ready to become an instance named {@code token}. */
    record Forked(String token, SandboxedWorker worker, Path strayOutput) {
        void discard() {
            worker.kill();
            Directories.deleteQuietly(strayOutput);
        }
    }

    /**
     * A child to become a new instance: a spare, forked and adopted ahead, or else one forked
     * now. Taking a spare starts making another, off the caller's path.
     *
     * @return the child, or null when the template could not fork one
     */
    Forked take(long timeoutMs) throws IOException {
        Forked spare;
        while ((spare = spares.pollFirst()) != null) {
            if (spare.worker().isAlive()) {
                refillInBackground(timeoutMs);
                return spare;
            }
            spare.discard();
        }
        refillInBackground(timeoutMs);
        return forkAndAdopt(timeoutMs);
    }

    private void refillInBackground(long timeoutMs) {
        if (closed || spares.size() >= spareTarget || !refilling.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("template-spares").start(() -> refill(timeoutMs));
    }

    /** Forks spares up to the target; the caller has set {@code refilling}. */
    private void refill(long timeoutMs) {
        try {
            while (!closed && spares.size() < spareTarget) {
                Forked spare = forkAndAdopt(timeoutMs);
                if (spare == null) {
                    return;
                }
                spares.addLast(spare);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("template of {} could not fork a spare: {}", function().name(), e.getMessage());
        } finally {
            refilling.set(false);
            if (closed) {
                discardSpares();
            }
        }
    }

    private void discardSpares() {
        Forked spare;
        while ((spare = spares.pollFirst()) != null) {
            spare.discard();
        }
    }

    private Forked forkAndAdopt(long timeoutMs) throws IOException {
        Child child = fork(UUID.randomUUID().toString(), timeoutMs);
        if (child == null) {
            return null;
        }
        try {
            SandboxedWorker adopted = sandboxed.adoptChild(child.pidInSandbox(), child.channel(), child.token(),
                    childLimits);
            return new Forked(child.token(), adopted, child.strayOutput());
        } catch (IOException | RuntimeException e) {
            child.discard();
            throw e;
        }
    }

    /**
     * Forks one child named {@code token}, whose stray output goes to a file of its own in
     * the fork directory.
     *
     * @return the child, or null when the template failed to fork or the child never connected
     */
    private Child fork(String token, long timeoutMs) throws IOException {
        Path strayOutput = forkDir.resolve(token + ".out");
        Files.createFile(strayOutput);
        // createFile's mode would be filtered by the umask; the child's uid must be able to append
        Files.setPosixFilePermissions(strayOutput, PosixFilePermissions.fromString("rw-rw-rw-"));
        CompletableFuture<SocketChannel> connection = new CompletableFuture<>();
        expected.put(token, connection);
        try {
            long pid = forkOne(token, strayOutput, timeoutMs);
            if (pid <= 0) {
                Files.deleteIfExists(strayOutput);
                return null;
            }
            // outside the lock: the next fork need not wait for this child to connect
            return new Child(token, pid, connection.get(timeoutMs, TimeUnit.MILLISECONDS), strayOutput);
        } catch (TimeoutException | ExecutionException | CancellationException e) {
            Files.deleteIfExists(strayOutput);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Files.deleteIfExists(strayOutput);
            return null;
        } finally {
            expected.remove(token);
        }
    }

    /** One Fork exchange; the template answers once it has forked, before the child connects. */
    private long forkOne(String token, Path strayOutput, long timeoutMs) {
        forking.lock();
        try {
            lastForkNanos = System.nanoTime();
            return worker.fork(Instance.JSON.createObjectNode()
                    .put("token", token)
                    .put("socket", sandboxed.forkDir() + "/" + SOCKET)
                    .put("stray_output", sandboxed.forkDir() + "/" + strayOutput.getFileName()), timeoutMs);
        } finally {
            forking.unlock();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel channel = server.accept();
                Thread.ofVirtual().name("template-child").start(() -> identify(channel));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("template of {} stopped accepting children: {}", function().name(), e.getMessage());
                }
                return;
            }
        }
    }

    /** Reads the token line a child sends first, and hands the connection to whoever forked it. */
    private void identify(SocketChannel channel) {
        try {
            String token = readToken(channel);
            CompletableFuture<SocketChannel> waiting = token == null ? null : expected.remove(token);
            if (waiting == null || !waiting.complete(channel)) {
                channel.close();
            }
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /** A child sends nothing after its token until the host speaks, so reading ahead takes nothing of the protocol. */
    private static String readToken(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_TOKEN_BYTES);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            for (int i = 0; i < buffer.position(); i++) {
                if (buffer.get(i) == '\n') {
                    return new String(buffer.array(), 0, i, StandardCharsets.US_ASCII);
                }
            }
        }
        return null;
    }

    /** Stops the template, and with it any child still in its sandbox. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // the directory goes below anyway
        }
        expected.values().forEach(waiting -> waiting.cancel(false));
        discardSpares();
        worker.remove();
        Directories.deleteQuietly(forkDir);
    }
}
