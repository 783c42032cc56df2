package dev.nabla.io;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Json.parse reads strict JSON only: what RFC 8259 forbids is refused, what it allows reads as documented. */
class JsonTest {
    @Test
    void readsValuesAsDocumented() {
        Object v = Json.parse(" {\"a\": [1, -2.5, \"x\", true, null], \"b\": {\"\\u00e9\\ud83d\\ude00\": 1e3}} ");
        assertEquals(Map.of("a", java.util.Arrays.asList(1L, -2.5, "x", true, null), "b", Map.of("é😀", 1000.0)), v);
        assertEquals(List.of(), Json.parse("[]"));
        assertEquals(9.223372036854775807E18 * 10, (Double) Json.parse("92233720368547758070"), 1e5);
    }

    @Test
    void refusesWhatJsonForbids() {
        for (String bad : new String[]{"+1", "00", "01", "[1,]", "{\"a\":1,}", "'a'", "NaN", "[Infinity]",
                "{\"a\":1 /* c */}", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\udc00x\"", "{\"\\ud800\":1}",
                "[1] [2]", "", "[", "\"unterminated", "{a:1}", "[\"tab\there\"]", "[1.]", "[.5]", "[-]"}) {
            assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void refusesDeepNesting() {
        assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(100) + "]".repeat(100)));
        assertEquals(List.of(List.of()), Json.parse("[[]]"));
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> value = Map.of("k", List.of(1L, 2.5, "q\"\\\n"));
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(value, Json.parse(Json.writePretty(value)));
    }
}
