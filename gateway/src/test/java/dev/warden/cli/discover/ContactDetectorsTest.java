package dev.warden.cli.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** E-mail addresses, phone numbers (Hong Kong and E.164) and the kinds told by a column's name. */
class ContactDetectorsTest {

    @Test
    void emails() {
        EmailDetector email = new EmailDetector();
        for (String v : new String[] {"ann@example.com", "chan.tai-man+hk@mail.example.com.hk", "A_B@x.io"}) {
            assertTrue(email.matches(v), v);
        }
        for (String v : new String[] {"ann@example", "@example.com", "ann example.com", "ann@@example.com",
                "ann@-example.com", "see ann@example.com", ""}) {
            assertFalse(email.matches(v), v);
        }
    }

    @Test
    void hongKongAndE164PhoneNumbers() {
        PhoneNumberDetector phone = new PhoneNumberDetector();
        for (String v : new String[] {"+852 9123 4567", "+85291234567", "+852-2123-4567", "852 6123 4567", "91234567",
                "9123 4567", "+44 20 7946 0958", "+1 (415) 555-2671", "+61412345678"}) {
            assertTrue(phone.matches(v), v);
        }
        for (String v : new String[] {"+852 1123 4567", "+852 9123 456", "12345678", "9123456", "+0 123 4567 89",
                "+1234567", "2026-12-06", "91234567890123456", "HK$ 9123 4567", "9,123,456.7", ""}) {
            assertFalse(phone.matches(v), v);
        }
    }

    @Test
    void kindsToldByTheColumnsName() {
        assertEquals("passport", ColumnNameDetector.kindOf("passport_no"));
        assertEquals("passport", ColumnNameDetector.kindOf("PassportNumber"));
        assertEquals("date-of-birth", ColumnNameDetector.kindOf("dob"));
        assertEquals("date-of-birth", ColumnNameDetector.kindOf("birth_date"));
        assertEquals("date-of-birth", ColumnNameDetector.kindOf("dateOfBirth"));
        assertEquals("name", ColumnNameDetector.kindOf("name"));
        assertEquals("name", ColumnNameDetector.kindOf("full_name"));
        assertEquals("name", ColumnNameDetector.kindOf("surname"));
        assertEquals("name", ColumnNameDetector.kindOf("customer_name"));
        assertEquals("address", ColumnNameDetector.kindOf("home_address"));
        assertEquals("address", ColumnNameDetector.kindOf("address_line1"));
        assertNull(ColumnNameDetector.kindOf("email_address"));
        assertNull(ColumnNameDetector.kindOf("ip_address"));
        assertNull(ColumnNameDetector.kindOf("product_name"));
        assertNull(ColumnNameDetector.kindOf("table_name"));
        assertNull(ColumnNameDetector.kindOf("birthplace_code"));
        assertNull(ColumnNameDetector.kindOf("created_at"));
    }
}
