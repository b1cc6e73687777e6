package org.kerasport.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kerasport.BadDataException;
import org.kerasport.FileAccessException;
import org.kerasport.Limit;

/**
 * A UTF-8 CSV file of text columns (RFC 4180, as Python's csv module and pandas write it: a header row, fields
 * separated by commas, a field in double quotes may hold commas, line breaks and doubled quotes), by column name.
 */
public final class TextCsv {
    private TextCsv() {
    }

    /** Column name -> its values, in file order. */
    public static Map<String, List<String>> read(Path file) {
        String text;
        try {
            if (Limit.DATA_BYTES.exceededBy(Files.size(file)))
                throw new BadDataException(file + ": " + Limit.DATA_BYTES.refusal("a CSV file", Files.size(file)));
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw new FileAccessException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new BadDataException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new FileAccessException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<List<String>> rows = parse(text, file);
        if (rows.isEmpty()) throw new BadDataException(file + ": empty; a header row naming the columns is required");
        List<String> header = rows.get(0);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String h : header) {
            if (out.containsKey(h)) throw new BadDataException(file + ": column '" + h + "' appears twice in the header");
            out.put(h, new ArrayList<>());
        }
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() != header.size())
                throw new BadDataException(file + ": row " + (r + 1) + " has " + row.size() + " fields, the header " + header.size());
            for (int c = 0; c < row.size(); c++) out.get(header.get(c)).add(row.get(c));
        }
        return out;
    }

    private static List<List<String>> parse(String s, Path file) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        int i = 0, n = s.length();
        boolean any = false;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' && f.length() == 0) {
                int start = i++;
                while (true) {
                    if (i >= n) throw new BadDataException(file + ": a quoted field opened at offset " + start + " never closes");
                    char q = s.charAt(i++);
                    if (q == '"') {
                        if (i < n && s.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else break;
                    } else f.append(q);
                }
                any = true;
                continue;
            }
            if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
                any = true;
                i++;
            } else if (c == '\r' || c == '\n') {
                if (any || f.length() > 0 || !row.isEmpty()) {
                    row.add(f.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                f.setLength(0);
                any = false;
                i += (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') ? 2 : 1;
            } else {
                f.append(c);
                i++;
            }
        }
        if (any || f.length() > 0 || !row.isEmpty()) {
            row.add(f.toString());
            rows.add(row);
        }
        return rows;
    }
}
