package dev.warden.engine;

import org.junit.jupiter.api.Test;

import static dev.warden.engine.OrderIndexCapabilities.Option.FUNCTIONS;
import static dev.warden.engine.OrderIndexCapabilities.Option.INDEX;
import static dev.warden.engine.OrderIndexCapabilities.Option.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which option each combination of rights gives, and what the one-line description names as missing. */
class OrderIndexCapabilitiesTest {

    private static OrderIndexCapabilities of(boolean superuser, boolean installed, boolean creatable, boolean writable,
            boolean functions, boolean opclass) {
        return new OrderIndexCapabilities(superuser, installed, creatable, writable, functions, opclass);
    }

    @Test
    void optionPerRights() {
        assertEquals(INDEX, of(true, false, true, true, false, false).option(), "superuser: everything");
        assertEquals(FUNCTIONS, of(false, false, true, true, false, false).option(), "managed service owner");
        assertEquals(FUNCTIONS, of(false, true, false, true, false, false).option(), "pgcrypto installed already");
        assertEquals(INDEX, of(false, true, false, false, true, true).option(), "installed by a superuser earlier");
        assertEquals(FUNCTIONS, of(false, false, false, false, true, false).option(), "functions installed earlier");
        assertEquals(NONE, of(false, false, true, false, false, false).option(), "no CREATE");
        assertEquals(NONE, of(false, false, false, true, false, false).option(), "no pgcrypto");
        assertEquals(NONE, of(true, false, false, true, false, false).option(), "superuser, but pgcrypto not on the server");
    }

    @Test
    void theDescriptionSaysWhatIsMissing() {
        String none = of(false, false, false, false, false, false).describe();
        assertTrue(none.contains("no right to create in schema warden") && none.contains("pgcrypto"), none);
        assertTrue(of(false, true, false, true, false, false).describe().contains("superuser"));
        assertTrue(of(true, true, false, true, false, false).describe().contains("can be installed"));
    }
}
