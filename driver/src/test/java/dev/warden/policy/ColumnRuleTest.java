package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who sees what: grants per role, and a plaintext grant lowered when the session's purpose is not listed. */
class ColumnRuleTest {

    private static final Map<String, Access> GRANTS =
            Map.of("support", Access.PLAINTEXT, "analyst", Access.MASKED, "intern", Access.DENIED);

    private static ColumnRule rule(MaskKind mask, Set<String> purposes) {
        Map<String, Access> read = new HashMap<>(GRANTS);
        if (mask == null) {
            read.remove("analyst");
        }
        return new ColumnRule(null, "customers", "email", Encryption.DETERMINISTIC, ColumnType.TEXT, read, mask,
                Set.of("support"), purposes, 7);
    }

    @Test
    void eachRoleGetsItsGrantWhenTheColumnListsNoPurposes() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of());
        assertEquals(Access.PLAINTEXT, rule.accessFor("support", null));
        assertEquals(Access.PLAINTEXT, rule.accessFor("support", "anything"));
        assertEquals(Access.MASKED, rule.accessFor("analyst", null));
        assertEquals(Access.DENIED, rule.accessFor("intern", null));
    }

    @Test
    void unlistedUnknownAndNullRolesAreDenied() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of());
        assertEquals(Access.DENIED, rule.accessFor("billing", null));
        assertEquals(Access.DENIED, rule.accessFor("Support", null));
        assertEquals(Access.DENIED, rule.accessFor(null, null));
    }

    @Test
    void plaintextHoldsOnlyForAListedPurpose() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of("customer-service"));
        assertEquals(Access.PLAINTEXT, rule.accessFor("support", "customer-service"));
    }

    @Test
    void plaintextIsMaskedForAnotherPurposeOrNoPurposeWhenTheColumnHasAMask() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of("customer-service"));
        assertEquals(Access.MASKED, rule.accessFor("support", "marketing"));
        assertEquals(Access.MASKED, rule.accessFor("support", null));
    }

    @Test
    void plaintextIsDeniedForAnotherPurposeWhenTheColumnHasNoMask() {
        ColumnRule rule = rule(null, Set.of("customer-service"));
        assertEquals(Access.DENIED, rule.accessFor("support", "marketing"));
        assertEquals(Access.DENIED, rule.accessFor("support", null));
        assertEquals(Access.PLAINTEXT, rule.accessFor("support", "customer-service"));
    }

    @Test
    void purposesNeverRaiseAMaskedOrDeniedGrant() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of("customer-service"));
        assertEquals(Access.MASKED, rule.accessFor("analyst", "customer-service"));
        assertEquals(Access.DENIED, rule.accessFor("intern", "customer-service"));
    }

    @Test
    void onlyListedWritersMayWrite() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of());
        assertTrue(rule.mayWrite("support"));
        assertFalse(rule.mayWrite("analyst"));
        assertFalse(rule.mayWrite(null));
    }

    @Test
    void withoutAFilterListExactlyThePlaintextReadersForTheSessionsPurposeMayFilter() {
        ColumnRule rule = rule(MaskKind.EMAIL, Set.of("customer-service"));
        assertTrue(rule.mayFilter("support", "customer-service"));
        assertFalse(rule.mayFilter("support", "marketing"), "masked for this purpose, so no oracle on the value");
        assertFalse(rule.mayFilter("support", null));
        assertFalse(rule.mayFilter("analyst", null), "a masked reader may not filter by default");
        assertFalse(rule.mayFilter("intern", null));
        assertFalse(rule.mayFilter(null, null));
    }

    @Test
    void aFilterListGrantsExactlyItsRolesWhateverTheirPurpose() {
        ColumnRule rule = new ColumnRule(null, "customers", "email", Encryption.DETERMINISTIC, ColumnType.TEXT,
                GRANTS, MaskKind.EMAIL, Set.of("support"), Set.of("customer-service"), Set.of("analyst"), 7);
        assertTrue(rule.mayFilter("analyst", null));
        assertTrue(rule.mayFilter("analyst", "marketing"));
        assertFalse(rule.mayFilter("support", "customer-service"), "a plaintext reader not listed may not filter");
        assertFalse(rule.mayFilter("intern", null));
        assertFalse(rule.mayFilter(null, null));
        ColumnRule nobody = new ColumnRule(null, "customers", "email", Encryption.DETERMINISTIC, ColumnType.TEXT,
                GRANTS, MaskKind.EMAIL, Set.of(), Set.of(), Set.of(), 7);
        assertFalse(nobody.mayFilter("support", null), "filter: [] lets no role filter");
    }

    @Test
    void qualifiedNameCarriesTheSchemaWhenThePolicyNamesOne() {
        assertEquals("customers.email", rule(MaskKind.EMAIL, Set.of()).qualifiedName());
        ColumnRule qualified = new ColumnRule("public", "customers", "email", Encryption.NONE, ColumnType.TEXT,
                Map.of(), null, Set.of(), Set.of(), 1);
        assertEquals("public.customers.email", qualified.qualifiedName());
    }

    @Test
    void collectionsAreCopiedSoTheRuleCannotBeChangedAfterwards() {
        Map<String, Access> read = new HashMap<>(Map.of("support", Access.DENIED));
        Set<String> writers = new HashSet<>();
        ColumnRule rule = new ColumnRule(null, "t", "c", Encryption.NONE, ColumnType.TEXT, read, null, writers,
                Set.of(), 1);
        read.put("support", Access.PLAINTEXT);
        writers.add("support");
        assertEquals(Access.DENIED, rule.accessFor("support", null));
        assertFalse(rule.mayWrite("support"));
        assertThrows(UnsupportedOperationException.class, () -> rule.read().put("x", Access.PLAINTEXT));
    }

    @Test
    void aMaskedGrantWithoutAMaskCannotBeBuilt() {
        assertThrows(IllegalArgumentException.class, () -> new ColumnRule(null, "t", "c", Encryption.NONE,
                ColumnType.TEXT, Map.of("analyst", Access.MASKED), null, Set.of(), Set.of(), 1));
    }
}
