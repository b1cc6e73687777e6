package org.kerasport.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kerasport.cli.ExitCode;
import org.kerasport.TestSupport;

/**
 * Bad input gets a clear message naming the file and the offending part, and a documented exit code: usage errors
 * (2) are told apart from bad model files (3) and unsupported models (4). Malicious files are refused, not followed.
 */
@Tag("interop")
@Tag("corpus")
class BadInputTest {
    @TempDir
    Path tmp;

    private static Path ref(String c, String f) {
        return TestSupport.reference().resolve(c).resolve(f);
    }

    private TestSupport.Run inspect(Path p, String... extra) {
        String[] args = new String[2 + extra.length];
        args[0] = "inspect";
        args[1] = p.toString();
        System.arraycopy(extra, 0, args, 2, extra.length);
        return TestSupport.cli(args);
    }

    private static void assertError(TestSupport.Run r, ExitCode code, String... mustMention) {
        assertEquals(code.code, r.code(), "exit code; stderr: " + r.err());
        assertTrue(r.out().isEmpty(), "nothing on stdout: " + r.out());
        for (String s : mustMention) assertTrue(r.err().contains(s), "the message should mention '" + s + "': " + r.err());
    }

    @Test
    void usageErrorsExitWith2() {
        assertError(TestSupport.cli("inspect"), ExitCode.USAGE, "one MODEL");
        assertError(TestSupport.cli("inspect", "a", "--no-such-option"), ExitCode.USAGE, "no-such-option");
        assertError(TestSupport.cli("frobnicate"), ExitCode.USAGE, "unknown command 'frobnicate'");
        assertEquals(ExitCode.USAGE.code, TestSupport.cli().code());
        TestSupport.Run help = TestSupport.cli("inspect", "--help");
        assertEquals(0, help.code());
        for (String opt : new String[]{"--json", "--arch", "--weights", "--lenient"}) assertTrue(help.out().contains(opt), opt);
        TestSupport.Run top = TestSupport.cli("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("inspect") && top.out().contains("Exit codes"));
    }

    @Test
    void missingFileIsAnIoError() {
        assertError(inspect(tmp.resolve("nope.h5")), ExitCode.IO, "nope.h5", "no such file");
        assertError(inspect(tmp), ExitCode.IO, "directory");
    }

    @Test
    void notAModelFile() throws IOException {
        Path p = Files.writeString(tmp.resolve("model.h5"), "this is not a model");
        assertError(inspect(p), ExitCode.MALFORMED_MODEL, "model.h5", "not a Keras model file");
        assertError(inspect(Files.write(tmp.resolve("empty.keras"), new byte[0])), ExitCode.MALFORMED_MODEL, "empty file");
    }

    @Test
    void malformedJsonNamesTheFileAndPlace() throws IOException {
        Path p = Files.writeString(tmp.resolve("arch.json"), "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [ }");
        assertError(inspect(p), ExitCode.MALFORMED_MODEL, "arch.json", "malformed JSON", "line 1");
        Path q = Files.writeString(tmp.resolve("nomodel.json"), "{\"class_name\": \"Dense\", \"config\": {}}");
        assertError(inspect(q), ExitCode.MALFORMED_MODEL, "nomodel.json", "not a Keras model class");
        Path r = Files.writeString(tmp.resolve("noname.json"),
                "{\"class_name\": \"Functional\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2}}]}}");
        assertError(inspect(r), ExitCode.MALFORMED_MODEL, "noname.json", "layers[0]", "without a name");
        Path s = Files.writeString(tmp.resolve("dangling.json"), "{\"class_name\": \"Functional\", \"config\": {\"layers\": ["
                + "{\"class_name\": \"Dense\", \"name\": \"d\", \"config\": {\"name\": \"d\", \"units\": 2},"
                + " \"inbound_nodes\": [[[\"ghost\", 0, 0, {}]]]}], \"input_layers\": [], \"output_layers\": [[\"d\", 0, 0]]}}");
        assertError(inspect(s), ExitCode.MALFORMED_MODEL, "dangling.json", "unknown layer 'ghost'");
    }

    @Test
    void unknownLayerClassIsUnsupportedAndLenientListsIt() throws IOException {
        Path p = Files.writeString(tmp.resolve("custom.json"), "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_shape\": [null, 3]}},"
                + "{\"class_name\": \"MyFancyLayer\", \"registered_name\": \"mypkg>MyFancyLayer\", \"config\": {\"name\": \"fancy\"}},"
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2, \"kernel_regularizer\": "
                + "{\"class_name\": \"MyReg\", \"registered_name\": \"mypkg>MyReg\", \"config\": {}}}}]}}");
        TestSupport.Run r = inspect(p);
        assertError(r, ExitCode.UNSUPPORTED, "custom.json", "layer 'fancy'", "MyFancyLayer", "layer 'd'", "kernel_regularizer", "--lenient");
        TestSupport.Run lenient = inspect(p, "--lenient", "--json");
        assertEquals(0, lenient.code(), lenient.err());
        assertEquals(2, lenient.json().get("unsupported").size());
    }

    @Test
    void lambdaBytecodeIsReadButNeverExecutedAndIsListed() {
        Path carnd = TestSupport.corpus().resolve("carnd-2015131141143821/model.h5");
        TestSupport.Run r = inspect(carnd, "--json");
        assertEquals(0, r.code(), r.err());
        var u = r.json().get("unsupported");
        assertEquals(2, u.size()); // lambda_1 and lambda_2
        for (var item : u) {
            assertEquals("Lambda", item.get("class_name").asText());
            assertTrue(item.get("reason").asText().contains("never executes"));
        }
    }

    @Test
    void weightsOnlyFileAsksForItsArchitecture() {
        assertError(inspect(ref("formats", "model.weights.h5")), ExitCode.USAGE, "model.weights.h5", "--arch");
    }

    @Test
    void zipEntriesWithDotDotOrAbsolutePathsAreRefused() throws IOException {
        assertError(inspect(zip("dotdot.keras", "../evil.txt", "x".getBytes(), false)), ExitCode.MALFORMED_MODEL,
                "dotdot.keras", "../evil.txt", "unsafe");
        assertError(inspect(zip("abs.keras", "/etc/evil", "x".getBytes(), false)), ExitCode.MALFORMED_MODEL, "abs.keras", "unsafe");
    }

    @Test
    void zipBombIsRefused() throws IOException {
        // config.json inflating to 100 MB of spaces from ~100 KB: over the JSON limit and the ratio limit
        byte[] big = new byte[100 << 20];
        java.util.Arrays.fill(big, (byte) ' ');
        Path p = zip("bomb.keras", "config.json", big, true);
        assertTrue(Files.size(p) < 1 << 20);
        assertError(inspect(p), ExitCode.MALFORMED_MODEL, "bomb.keras", "config.json", "refused");
    }

    @Test
    void zipWithoutConfigIsNotAKerasFile() throws IOException {
        assertError(inspect(zip("plain.keras", "hello.txt", "hi".getBytes(), true)), ExitCode.MALFORMED_MODEL, "without config.json");
    }

    @Test
    void hdf5LinksAndAbsurdShapesAreRefused() throws IOException {
        Path src = ref("reg_dense", "model.h5");
        Path soft = tmp.resolve("soft.h5"), ext = tmp.resolve("external.h5"), huge = tmp.resolve("huge.h5");
        Files.copy(src, soft);
        Files.copy(src, ext);
        Files.copy(src, huge);
        TestSupport.runPython(tmp, 120, "-c", String.join("\n",
                "import h5py, numpy as np",
                "f = h5py.File('soft.h5', 'r+'); g = f['model_weights/out']; k = g['out/kernel'] if 'out/kernel' in g else None",
                "names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']]",
                "p = names[0]; data = g[p][()]; del g[p]; g[p] = h5py.SoftLink('/model_weights/dense_l2k_l1b/' + p.replace('out', 'dense_l2k_l1b'))",
                "f.close()",
                "f = h5py.File('external.h5', 'r+'); g = f['model_weights/out']",
                "del g[p]; g[p] = h5py.ExternalLink('/etc/passwd', '/x'); f.close()",
                "f = h5py.File('huge.h5', 'r+'); g = f['model_weights/out']",
                "del g[p]; g.create_dataset(p, shape=(200000, 200000), dtype='f4'); f.close()"));
        assertError(inspect(soft), ExitCode.MALFORMED_MODEL, "soft.h5", "link");
        assertError(inspect(ext), ExitCode.MALFORMED_MODEL, "external.h5", "link");
        // inspect reads shapes only: a huge declared shape is reported; reading its values is refused before allocating
        TestSupport.Run r = inspect(huge, "--json");
        assertEquals(0, r.code(), r.err());
        org.kerasport.MalformedModelException e = org.junit.jupiter.api.Assertions.assertThrows(org.kerasport.MalformedModelException.class,
                () -> KerasReader.read(huge));
        assertTrue(e.getMessage().contains("huge.h5"), e.getMessage());
    }

    private Path zip(String name, String entry, byte[] content, boolean deflate) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os, StandardCharsets.UTF_8)) {
            ZipEntry e = new ZipEntry(entry);
            if (!deflate) {
                e.setMethod(ZipEntry.STORED);
                e.setSize(content.length);
                CRC32 crc = new CRC32();
                crc.update(content);
                e.setCrc(crc.getValue());
            }
            z.putNextEntry(e);
            z.write(content);
            z.closeEntry();
        }
        return p;
    }
}
