package dev.warden.cli.discover;

import java.util.Locale;

/**
 * A Hong Kong Identity Card number: one or two letters, six digits and a check digit (0-9 or A), the check
 * digit in brackets or not ({@code A123456(3)}, {@code A1234563}, {@code AB987654(2)}), validated with the
 * published check-digit algorithm: letters count 10 (A) to 35 (Z), a missing second letter counts 36 (a space);
 * the eight characters are weighted 9 down to 2 and the check digit makes the sum a multiple of 11 (10 is
 * written A). Stateless, thread-safe.
 */
public final class HkidDetector implements ValueDetector {

    @Override
    public String kind() {
        return "hkid";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip().toUpperCase(Locale.ROOT).replace(" ", "");
        int letters = 0;
        while (letters < v.length() && letters < 3 && v.charAt(letters) >= 'A' && v.charAt(letters) <= 'Z') letters++;
        if (letters < 1 || letters > 2) return false;
        String rest = v.substring(letters);
        char check;
        if (rest.length() == 9 && rest.charAt(6) == '(' && rest.charAt(8) == ')') check = rest.charAt(7);
        else if (rest.length() == 7) check = rest.charAt(6);
        else return false;
        int sum = letters == 1 ? 36 * 9 + letterValue(v.charAt(0)) * 8
                : letterValue(v.charAt(0)) * 9 + letterValue(v.charAt(1)) * 8;
        for (int i = 0; i < 6; i++) {
            char c = rest.charAt(i);
            if (c < '0' || c > '9') return false;
            sum += (c - '0') * (7 - i);
        }
        int checkValue;
        if (check == 'A') checkValue = 10;
        else if (check >= '0' && check <= '9') checkValue = check - '0';
        else return false;
        return (sum + checkValue) % 11 == 0;
    }

    private static int letterValue(char c) {
        return c - 'A' + 10;
    }
}
