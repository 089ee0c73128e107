package dev.warden.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which channels a session may listen on, as the gateway reads them from its statements. */
class ListenedChannelsTest {

    private static void run(ListenedChannels l, String sql, boolean inTransaction) {
        StatementKind k = StatementKind.of(sql);
        assertTrue(ListenedChannels.changesListening(k), sql);
        l.succeeded(sql, k, inTransaction);
    }

    @Test
    void channelNamesAreFoldedAsPostgresqlFoldsIdentifiers() {
        assertEquals("orders", ListenedChannels.channel("LISTEN Orders"));
        assertEquals("Orders", ListenedChannels.channel("listen \"Orders\""));
        assertEquals("a\"b", ListenedChannels.channel("LISTEN \"a\"\"b\";"));
        assertEquals("é_x$1", ListenedChannels.channel("/* c */ listen -- why\n é_X$1 "));
        assertEquals("*", ListenedChannels.channel("UNLISTEN *"));
        assertNull(ListenedChannels.channel("UNLISTEN \"*\""), "a channel named *, not all channels");
        assertNull(ListenedChannels.channel("LISTEN U&\"d\\0061t\""), "Unicode escapes are not read");
        assertNull(ListenedChannels.channel("LISTEN"));
        assertNull(ListenedChannels.channel("LISTEN a b"));
    }

    @Test
    void onlyListenUnlistenAndDiscardAllChangeListening() {
        assertTrue(ListenedChannels.changesListening(StatementKind.of("discard all")));
        assertFalse(ListenedChannels.changesListening(StatementKind.of("DISCARD TEMP")));
        assertFalse(ListenedChannels.changesListening(StatementKind.of("NOTIFY a, 'x'")));
        assertFalse(ListenedChannels.changesListening(StatementKind.of("SELECT pg_notify('a', 'listen')")));
    }

    @Test
    void unlistenOfTheLastChannelOrOfAllStopsListening() {
        ListenedChannels l = new ListenedChannels();
        assertFalse(l.any());
        run(l, "LISTEN a", false);
        run(l, "LISTEN \"B\"", false);
        run(l, "UNLISTEN a", false);
        assertTrue(l.any());
        run(l, "UNLISTEN b", false);
        assertTrue(l.any(), "\"B\" is not b");
        run(l, "UNLISTEN \"B\"", false);
        assertFalse(l.any());
        run(l, "LISTEN a", false);
        run(l, "LISTEN c", false);
        run(l, "UNLISTEN *", false);
        assertFalse(l.any());
        run(l, "LISTEN a", false);
        run(l, "DISCARD ALL", false);
        assertFalse(l.any());
    }

    @Test
    void aChannelThatCannotBeNamedKeepsListeningUntilUnlistenAll() {
        ListenedChannels l = new ListenedChannels();
        run(l, "LISTEN U&\"d\\0061t\"", false);
        assertTrue(l.any());
        run(l, "UNLISTEN U&\"d\\0061t\"", false);
        assertTrue(l.any());
        run(l, "UNLISTEN *", false);
        assertFalse(l.any());
    }

    @Test
    void unlistenInsideATransactionCountsOnlyOnceItCommits() {
        ListenedChannels l = new ListenedChannels();
        run(l, "LISTEN a", false);
        run(l, "UNLISTEN a", true);
        assertTrue(l.any(), "not yet committed");
        l.rolledBack();
        assertTrue(l.any(), "rolled back: still listening");
        run(l, "UNLISTEN a", true);
        l.committed();
        assertFalse(l.any());
    }

    @Test
    void changesInOneTransactionTakeEffectInOrder() {
        ListenedChannels l = new ListenedChannels();
        run(l, "LISTEN a", false);
        run(l, "UNLISTEN *", true);
        run(l, "LISTEN a", true);
        l.committed();
        assertTrue(l.any(), "UNLISTEN * then LISTEN a leaves a");
        run(l, "LISTEN b", true);
        run(l, "UNLISTEN *", true);
        assertTrue(l.any());
        l.committed();
        assertFalse(l.any());
    }

    @Test
    void aListenInsideATransactionCountsAtOnce() {
        ListenedChannels l = new ListenedChannels();
        run(l, "LISTEN a", true);
        assertTrue(l.any(), "polling for a LISTEN that may roll back costs less than missing one");
        l.rolledBack();
        assertTrue(l.any());
    }
}
