package dev.warden.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ErrorFields;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * The gateway answers with the fields the database sent, as the driver left them (redacted by the engine on
 * protected tables), not with what can be parsed back from pgjdbc's message text; names travel in their own
 * fields (schema, table, column, data type, constraint).
 */
class BackendErrorsTest {

    @Test
    void aServerErrorIsSentFieldByField() {
        PSQLException e = new PSQLException(new ServerErrorMessage("SERROR\0C23514\0Mnew row violates\0"
                + "DFailing row contains (values redacted by Warden).\0Hcheck it\0P12\0Wctx\0spublic\0tmembers\0"
                + "cname\0dtext\0nmembers_tier_check\0Fexecmain.c\0L1\0RExecConstraints\0"));
        ErrorFields f = BackendErrors.of(e);
        assertEquals(new ErrorFields("ERROR", "23514", "new row violates",
                "Failing row contains (values redacted by Warden).", "check it", "12", "ctx",
                Map.of('s', "public", 't', "members", 'c', "name", 'd', "text", 'n', "members_tier_check",
                        'F', "execmain.c", 'L', "1", 'R', "ExecConstraints")), f);

        ByteBuf out = Unpooled.buffer();
        BackendMessages.errorOrNotice(out, 'E', f);
        String frame = out.toString(StandardCharsets.UTF_8);
        out.release();
        for (String field : new String[] {"tmembers\0", "nmembers_tier_check\0", "spublic\0", "cname\0", "dtext\0",
                "DFailing row contains (values redacted by Warden).\0", "Fexecmain.c\0", "L1\0", "RExecConstraints\0"}) {
            assertEquals(true, frame.contains(field), field);
        }
    }

    @Test
    void aNoticeKeepsItsSeverityAndAnErrorWithoutServerFieldsIsParsedAsBefore() {
        PSQLWarning w = new PSQLWarning(new ServerErrorMessage("SWARNING\0C01000\0Mcareful\0"));
        assertEquals("WARNING", BackendErrors.of(w).severity());
        ErrorFields refusal = BackendErrors.of(new SQLException("Warden: access denied", "42501"));
        assertEquals("Warden: access denied", refusal.message());
        assertEquals(Map.of(), refusal.others());
        // a backend's FATAL ends the backend session, not the client's
        PSQLException fatal = new PSQLException(new ServerErrorMessage("SFATAL\0C57P01\0Mterminating\0"));
        assertEquals("ERROR", BackendErrors.of(fatal).severity());
    }
}
