package dev.warden.gateway;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.WardenEngine;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A gateway in a JVM of its own, for {@link GatewayBoundedMemoryIT}: started with a small heap to show that
 * a huge result streams through, or with an audit writer made to die of an {@link OutOfMemoryError} on its
 * next write to show that statements then stop with 58000. Prints {@code PORT n} once listening and runs
 * until its standard input closes. User {@code sam} (password {@code pw}): role support, purpose
 * customer-service.
 *
 * <p>Arguments: the backend's plain pgjdbc URL, the policy directory, and {@code serve} or {@code writer-dies}.
 */
public final class GatewayHeapChild {

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // exit at once: the parent waits for PORT, and the gateway's own threads would keep this JVM alive
            e.printStackTrace();
            System.exit(2);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        String backend = "jdbc:warden:" + args[0].substring("jdbc:".length());
        Path dir = Path.of(args[1]);
        String policy = dir.resolve("policy.yaml").toString();
        String masterKey = "file:" + dir.resolve("demo-master-key.txt");
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(backend, "postgres", "", 2, Map.of()), policy, masterKey, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", ScramVerifier.generate("pw".toCharArray(), 4096), "support",
                        "customer-service", Set.of())),
                "scram-sha-256", 100);
        GatewayServer server = new GatewayServer(config, new PooledBackendConnector(config.backend(), policy, masterKey),
                new PgjdbcCopyRunner()).start();
        if (args[2].equals("writer-dies")) {
            WardenEngine engine = WardenEngine.forConfig(new EngineConfig(policy, masterKey));
            Thread.sleep(500); // the engine's own opening events are written by the healthy writer first
            killWriterOnNextWrite(engine);
        }
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // run until the parent closes our standard input
        }
        server.close();
    }

    /** Swaps the trail's batch target for one whose write throws OutOfMemoryError, as a full heap would. */
    private static void killWriterOnNextWrite(WardenEngine engine) throws Exception {
        Object sink = field(engine, "auditSink");
        Object writer = field(sink, "writer");
        Field targetField = writer.getClass().getDeclaredField("target");
        targetField.setAccessible(true);
        Object real = targetField.get(writer);
        Class<?> iface = Class.forName("dev.warden.audit.AuditBatchTarget");
        Object dying = Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, (p, m, a) -> {
            if (m.getName().equals("write") && String.valueOf(a[0]).contains("customers")) {
                // the first batch with a statement on customers: the test's, not the login's own statements
                throw new OutOfMemoryError("Java heap space (simulated in the audit writer)");
            }
            m.setAccessible(true);
            try {
                return m.invoke(real, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        targetField.set(writer, dying);
    }

    /** Field {@code name} of {@code o}, declared by its class or a superclass. */
    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(o.getClass().getName() + "." + name);
    }
}
