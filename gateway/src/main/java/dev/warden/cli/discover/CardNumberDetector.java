package dev.warden.cli.discover;

/**
 * A payment card number: 13 to 19 digits, optionally grouped with spaces or dashes, that pass the Luhn
 * checksum. Stateless, thread-safe.
 */
public final class CardNumberDetector implements ValueDetector {

    @Override
    public String kind() {
        return "card-number";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        int[] digits = new int[19];
        int n = 0;
        char previous = ' ';  // no separator before the first digit
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                if (n == 19) return false;
                digits[n++] = c - '0';
            } else if ((c == ' ' || c == '-') && previous >= '0' && previous <= '9') {
                // a separator only between digits, never two in a row
            } else {
                return false;
            }
            previous = c;
        }
        if (n < 13 || !(previous >= '0' && previous <= '9')) return false;
        if (allSame(digits, n)) return false;  // 0000 0000 0000 0 passes Luhn but is no card
        return luhn(digits, n);
    }

    /** The Luhn checksum over the first {@code n} digits (the last one is the check digit). */
    static boolean luhn(int[] digits, int n) {
        int sum = 0;
        for (int i = 0; i < n; i++) {
            int d = digits[n - 1 - i];
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    private static boolean allSame(int[] digits, int n) {
        for (int i = 1; i < n; i++) if (digits[i] != digits[0]) return false;
        return true;
    }
}
