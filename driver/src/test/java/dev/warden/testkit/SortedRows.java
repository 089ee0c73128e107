package dev.warden.testkit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A result as comparable text, for holding an answer through Warden to the plaintext twin's whatever the order. */
public final class SortedRows {

    private SortedRows() {}

    /** Each row of {@code rs} as its columns' text, each followed by {@code |}; the rows sorted. */
    public static List<String> of(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int width = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= width; i++) row.append(rs.getString(i)).append('|');
            out.add(row.toString());
        }
        out.sort(null);
        return out;
    }
}
