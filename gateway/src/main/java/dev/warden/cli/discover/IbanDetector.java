package dev.warden.cli.discover;

import java.util.Locale;

/**
 * An International Bank Account Number: a country code, two check digits and up to 30 letters or digits
 * (15 to 34 characters in all, spaces allowed), whose check digits pass ISO 13616's mod-97 test: the first four
 * characters moved to the end, letters read as 10 (A) to 35 (Z), the number modulo 97 is 1. Stateless,
 * thread-safe.
 */
public final class IbanDetector implements ValueDetector {

    @Override
    public String kind() {
        return "iban";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip().replace(" ", "").toUpperCase(Locale.ROOT);
        if (v.length() < 15 || v.length() > 34) return false;
        if (!isLetter(v.charAt(0)) || !isLetter(v.charAt(1)) || !isDigit(v.charAt(2)) || !isDigit(v.charAt(3))) {
            return false;
        }
        String rearranged = v.substring(4) + v.substring(0, 4);
        int remainder = 0;
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            if (isDigit(c)) remainder = (remainder * 10 + (c - '0')) % 97;
            else if (isLetter(c)) remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            else return false;
        }
        return remainder == 1;
    }

    private static boolean isLetter(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
