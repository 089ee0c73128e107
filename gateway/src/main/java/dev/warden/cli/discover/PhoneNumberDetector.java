package dev.warden.cli.discover;

/**
 * A telephone number: a Hong Kong number (eight digits starting 2, 3, 4, 5, 6, 7, 8 or 9, with or without the
 * {@code +852} / {@code 852} country code) or any E.164 number ({@code +} then 8 to 15 digits, the first not 0).
 * Spaces, dashes, dots and brackets between digits are allowed. Stateless, thread-safe.
 */
public final class PhoneNumberDetector implements ValueDetector {

    @Override
    public String kind() {
        return "phone";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        boolean plus = v.startsWith("+");
        StringBuilder digits = new StringBuilder(16);
        for (int i = plus ? 1 : 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') digits.append(c);
            else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') return false;
            if (digits.length() > 15) return false;
        }
        String d = digits.toString();
        if (plus) {
            if (d.startsWith("852")) return hongKong(d.substring(3));
            return d.length() >= 8 && d.charAt(0) != '0';
        }
        if (d.length() == 11 && d.startsWith("852")) return hongKong(d.substring(3));
        // eight bare digits are a Hong Kong number only when written as one (not an amount or an id with separators)
        return d.length() == 8 && hongKong(d) && v.chars().filter(Character::isDigit).count() == 8
                && v.length() <= 9;
    }

    private static boolean hongKong(String d) {
        return d.length() == 8 && d.charAt(0) >= '2' && d.charAt(0) <= '9';
    }
}
