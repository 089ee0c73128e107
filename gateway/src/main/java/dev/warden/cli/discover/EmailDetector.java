package dev.warden.cli.discover;

import java.util.regex.Pattern;

/** An e-mail address: a local part, one {@code @} and a dotted domain. Stateless, thread-safe. */
public final class EmailDetector implements ValueDetector {

    private static final Pattern EMAIL =
            Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\\.[A-Za-z]{2,63}");

    @Override
    public String kind() {
        return "email";
    }

    @Override
    public boolean matches(String value) {
        String v = value.strip();
        return v.length() <= 254 && EMAIL.matcher(v).matches();
    }
}
