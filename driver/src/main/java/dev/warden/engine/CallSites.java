package dev.warden.engine;

import java.util.List;
import java.util.Optional;

/**
 * Where the application ran a statement, for observe mode's {@code would-*} events: the first stack frame outside
 * Warden, the JDK, JDBC drivers, connection pools and common ORM and framework packages (and the packages the
 * policy's {@code observe.call-site-skip} adds), as {@code class.method(File.java:line)}. A statement served by a
 * front door (the gateway) has no application stack in this process: its call site is the client's
 * {@code application_name} and address.
 *
 * <p>Walking the stack costs about a microsecond per frame (tens of microseconds under a framework), so it is done
 * only in observe mode and only for a statement that enforcement would change, once per execution, lazily and over
 * a bounded number of frames. Stateless,
 * thread-safe.
 */
final class CallSites {

    /** Never the application's code (prefixes of class names, matched at a package or class boundary). */
    static final List<String> ALWAYS_SKIPPED = List.of(
            // Warden itself (its test code, in other packages, is an application like any other)
            "dev.warden.policy", "dev.warden.sql", "dev.warden.crypto", "dev.warden.audit", "dev.warden.engine",
            "dev.warden.jdbc", "dev.warden.gateway", "dev.warden.cli",
            // the JDK, reflection and JDBC
            "java", "javax", "jakarta", "jdk", "sun", "com.sun",
            // JDBC drivers and connection pools
            "org.postgresql", "com.zaxxer.hikari", "org.apache.commons.dbcp2", "org.apache.tomcat.jdbc", "com.mchange",
            "io.agroal", "oracle.ucp", "org.vibur", "com.alibaba.druid", "net.ttddyy", "com.p6spy",
            // ORMs, query builders and frameworks
            "org.hibernate", "org.springframework", "org.mybatis", "org.apache.ibatis", "org.jooq", "org.jdbi",
            "org.eclipse.persistence", "org.apache.openjpa", "io.ebean", "com.querydsl", "org.sql2o",
            "io.micronaut", "io.quarkus", "io.vertx", "org.flywaydb", "liquibase",
            // language runtimes and proxies
            "kotlin", "kotlinx", "scala", "groovy", "org.codehaus.groovy", "net.bytebuddy", "org.aspectj", "io.netty");

    /** Frames looked at before giving up: deep framework stacks are common, unbounded walks are not wanted. */
    static final int MAX_FRAMES = 256;

    private static final StackWalker WALKER = StackWalker.getInstance();

    private CallSites() {}

    /**
     * The call site of the statement {@code session} is running now, on this thread.
     *
     * @param extraSkipped the policy's {@code observe.call-site-skip}
     */
    static String of(Session session, List<String> extraSkipped) {
        if (session.clientAddress() != null) {
            String client = session.client() == null || session.client().isEmpty() ? "(no application_name)"
                    : session.client();
            return "client " + client + "@" + session.clientAddress();
        }
        Optional<String> frame = WALKER.walk(frames -> frames.limit(MAX_FRAMES)
                .filter(f -> !skipped(f.getClassName(), extraSkipped))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")"));
        return frame.orElse("unknown (no application frame in the first " + MAX_FRAMES + " frames)");
    }

    static boolean skipped(String className, List<String> extraSkipped) {
        return matchesAny(className, ALWAYS_SKIPPED) || matchesAny(className, extraSkipped);
    }

    private static boolean matchesAny(String className, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (className.startsWith(prefix) && (className.length() == prefix.length()
                    || className.charAt(prefix.length()) == '.' || className.charAt(prefix.length()) == '$')) {
                return true;
            }
        }
        return false;
    }
}
