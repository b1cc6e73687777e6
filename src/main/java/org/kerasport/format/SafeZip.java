package org.kerasport.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.kerasport.Limit;
import org.kerasport.MalformedModelException;

/**
 * Reads a {@code .keras} zip as untrusted input: entry names with {@code ..}, absolute paths or drive letters are
 * refused, as are archives with more entries than {@link Limit#ZIP_ENTRIES}, JSON members larger than
 * {@link Limit#JSON_BYTES}, members larger than 16 GiB and members that inflate more than {@link Limit#ZIP_RATIO}
 * times (a zip bomb). Sizes are enforced while inflating, not trusted from the headers.
 */
final class SafeZip implements AutoCloseable {
    static final long MAX_MEMBER_BYTES = 16L << 30;

    private final Path file;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries = new LinkedHashMap<>();

    SafeZip(Path file) {
        this.file = file;
        try {
            this.zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new MalformedModelException(file, null, "not a readable zip archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new MalformedModelException(file, null, "cannot open as zip: " + e.getMessage(), e);
        }
        try {
            long maxEntries = Limit.ZIP_ENTRIES.value();
            if (zip.size() > maxEntries)
                throw new MalformedModelException(file, null, Limit.ZIP_ENTRIES.refusal("the archive's " + zip.size() + " entries", zip.size()));
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                String n = e.getName();
                if (n.startsWith("/") || n.startsWith("\\") || n.matches("^[A-Za-z]:.*") || n.contains("\\")
                        || ("/" + n + "/").contains("/../") || n.contains("\0"))
                    throw new MalformedModelException(file, "zip entry '" + n + "'", "unsafe entry path (absolute or with '..'): refused");
                entries.put(n, e);
            }
        } catch (IllegalArgumentException e) { // java.util.zip: an entry name that is not valid UTF-8 (found by fuzzing)
            closeQuietly();
            throw new MalformedModelException(file, null, "not a readable zip archive: an entry name is not valid UTF-8 ("
                    + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    boolean has(String name) {
        return entries.containsKey(name);
    }

    Iterable<String> names() {
        return entries.keySet();
    }

    String readText(String name) {
        byte[] b = new byte[0];
        try (InputStream in = open(name)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            copyLimited(in, out, name, Limit.JSON_BYTES.value());
            b = out.toByteArray();
        } catch (IOException e) {
            throw new MalformedModelException(file, "zip entry '" + name + "'", "cannot read: " + e.getMessage(), e);
        }
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Extracts a member to a temporary file (deleted by the caller). */
    Path extract(String name) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("kerasport-", "-" + name.replaceAll("[^A-Za-z0-9._-]", "_"));
            try (InputStream in = open(name); OutputStream out = Files.newOutputStream(tmp)) {
                copyLimited(in, out, name, MAX_MEMBER_BYTES);
            }
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new MalformedModelException(file, "zip entry '" + name + "'", "cannot extract: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private InputStream open(String name) throws IOException {
        ZipEntry e = entries.get(name);
        if (e == null) throw new MalformedModelException(file, null, "the archive has no '" + name + "'");
        return zip.getInputStream(e);
    }

    private void copyLimited(InputStream in, OutputStream out, String name, long limit) throws IOException {
        ZipEntry e = entries.get(name);
        long compressed = Math.max(e.getCompressedSize(), 1);
        byte[] buf = new byte[1 << 16];
        long total = 0;
        long ratio = Limit.ZIP_RATIO.value();
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > limit)
                throw new MalformedModelException(file, "zip entry '" + name + "'", limit == MAX_MEMBER_BYTES
                        ? "larger than " + limit + " bytes: refused"
                        : Limit.JSON_BYTES.refusal("this JSON member (more than " + limit + " bytes)", total));
            if (e.getMethod() != ZipEntry.STORED && total > (1 << 20) && total / compressed > ratio)
                throw new MalformedModelException(file, "zip entry '" + name + "'", Limit.ZIP_RATIO.refusal(
                        "an entry of " + compressed + " compressed bytes inflating past " + total + " bytes (a zip bomb?)",
                        total / compressed));
            out.write(buf, 0, n);
        }
    }

    static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    private void closeQuietly() {
        try {
            zip.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
