package dev.warden.cli.discover;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Personal data told by a column's name rather than its values, where values alone are ambiguous: passport
 * numbers, dates of birth, people's names and addresses. The name is split into words ({@code dateOfBirth},
 * {@code date_of_birth}, {@code DOB}) and matched against each kind's words. Stateless, thread-safe.
 */
public final class ColumnNameDetector {

    private static final Set<String> NAME_QUALIFIERS = Set.of("first", "last", "full", "given", "family", "middle",
            "maiden", "legal", "chinese", "english", "customer", "contact", "person", "patient", "holder", "cardholder",
            "account", "member", "employee", "client", "passenger", "guest");
    private static final Set<String> NAME_WORDS = Set.of("surname", "forename", "fullname", "firstname", "lastname",
            "givenname", "familyname", "middlename");
    /** Addresses that are not where a person lives. */
    private static final Set<String> NOT_POSTAL = Set.of("email", "mail", "ip", "ipv4", "ipv6", "mac", "web", "url",
            "server", "host", "wallet", "contract", "memory", "remote", "local", "bind", "listen");

    private ColumnNameDetector() {}

    /** The kind the column's name says it holds ({@code passport}, {@code date-of-birth}, {@code name}, {@code address}), or null. */
    public static String kindOf(String columnName) {
        List<String> words = words(columnName);
        String joined = String.join("", words);
        if (words.contains("passport") || joined.contains("passport")) return "passport";
        if (words.contains("dob") || joined.contains("birthdate") || joined.contains("dateofbirth")
                || joined.contains("birthday") || joined.equals("born") || joined.equals("bornon")
                || (words.contains("birth") && (words.contains("date") || words.contains("dt") || words.contains("day")))) {
            return "date-of-birth";
        }
        if (words.contains("address") || words.contains("addr") || words.contains("street")
                || joined.startsWith("addressline") || words.contains("postcode") && words.size() > 1) {
            for (String w : words) if (NOT_POSTAL.contains(w)) return null;
            return "address";
        }
        if (joined.equals("name")) return "name";
        for (String w : words) if (NAME_WORDS.contains(w)) return "name";
        int at = words.indexOf("name");
        if (at > 0 && NAME_QUALIFIERS.contains(words.get(at - 1))) return "name";
        return null;
    }

    /** {@code dateOfBirth}, {@code date_of_birth}, {@code DATE-OF-BIRTH} to [date, of, birth]. */
    static List<String> words(String name) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean boundary = Character.isUpperCase(c) && i > 0 && Character.isLowerCase(name.charAt(i - 1));
            if (!Character.isLetterOrDigit(c) || boundary) {
                if (w.length() > 0) out.add(w.toString().toLowerCase(Locale.ROOT));
                w.setLength(0);
                if (!Character.isLetterOrDigit(c)) continue;
            }
            w.append(c);
        }
        if (w.length() > 0) out.add(w.toString().toLowerCase(Locale.ROOT));
        return out;
    }
}
