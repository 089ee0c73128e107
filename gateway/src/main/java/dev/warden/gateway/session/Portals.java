package dev.warden.gateway.session;

import static dev.warden.gateway.session.SessionContext.closeQuietly;

import dev.warden.gateway.session.PreparedStatements.Prepared;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A session's portals (Bind, Close 'P', and the end of the implicit transaction at Sync), each a prepared
 * statement with its parameter values, executed at most once, its result read in parts by Executes. Not
 * thread-safe: the session's thread only.
 */
final class Portals {

    /** A bound portal. */
    static final class Portal {
        final Prepared stmt;
        final Object[] values;
        final int[] oids;
        final short[] resultFormats;
        PreparedStatement ps;
        boolean ownPs;
        boolean executed;
        ResultSet rs;
        ResultColumn[] columns;
        int updateCount;
        boolean done;

        Portal(Prepared stmt, Object[] values, int[] oids, short[] resultFormats) {
            this.stmt = stmt;
            this.values = values;
            this.oids = oids;
            this.resultFormats = resultFormats;
        }
    }

    private final Map<String, Portal> byName = new HashMap<>();

    /** True when a named portal of that name exists (the unnamed one is replaced by each Bind). */
    boolean namedExists(String name) {
        return !name.isEmpty() && byName.containsKey(name);
    }

    /** Adds {@code portal} under {@code name}, replacing (and closing) the portal of that name. */
    void add(String name, Portal portal) {
        Portal old = byName.remove(name);
        if (old != null) {
            close(old);
        }
        portal.stmt.portals++;
        byName.put(name, portal);
    }

    /** The portal of that name; 34000 when there is none. */
    Portal get(String name) throws SQLException {
        Portal p = byName.get(name);
        if (p == null) {
            throw new SQLException("portal \"" + name + "\" does not exist", "34000");
        }
        return p;
    }

    /** True when a portal other than {@code portal} still reads a result from {@code ps}. */
    boolean otherReads(Portal portal, PreparedStatement ps) {
        for (Portal other : byName.values()) {
            if (other != portal && other.ps == ps && other.rs != null && !other.done) {
                return true;
            }
        }
        return false;
    }

    /** Close 'P': a portal that does not exist is no error. */
    void close(String name) {
        Portal p = byName.remove(name);
        if (p != null) {
            close(p);
        }
    }

    /** Every portal ends (outside a transaction block, with the implicit transaction at Sync). */
    void closeAll() {
        for (Iterator<Portal> it = byName.values().iterator(); it.hasNext(); ) {
            close(it.next());
            it.remove();
        }
    }

    /** At the session's end: the portals' results and own statements close ({@link PreparedStatements#closeAll} does the rest). */
    void discardAll() {
        for (Portal p : byName.values()) {
            closeResources(p);
        }
        byName.clear();
    }

    private static void close(Portal p) {
        closeResources(p);
        p.stmt.portals--;
        if (p.stmt.closed && p.stmt.portals == 0) {
            closeQuietly(p.stmt.ps);
        }
    }

    private static void closeResources(Portal p) {
        closeQuietly(p.rs);
        p.rs = null;
        if (p.ownPs) {
            closeQuietly(p.ps);
        }
    }
}
