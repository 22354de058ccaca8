package dev.xen2nitro.local.cloud;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * An execution's history, as GetExecutionHistory serves it (Step Functions API Reference, "HistoryEvent"): events numbered
 * from 1 in the order they happened, each with the event it follows ({@code previousEventId}), its time, its type
 * ("HistoryEventType") and the details object of that type ({@code stateEnteredEventDetails}, {@code taskFailedEventDetails}...).
 * An event's execution data, the input or output it carries, is kept apart from its details, so that GetExecutionHistory
 * leaves it out when {@code includeExecutionData} is false.
 */
public final class ExecutionHistory {
    private ExecutionHistory() {}

    /**
     * Execution data, as JSON text. What the local cloud keeps of a long fleet adds up (a thousand children, each with a few
     * hundred events of several kilobytes), so text longer than {@link #DEFLATE_ABOVE} characters is kept deflated.
     */
    public static final class Data {
        static final int DEFLATE_ABOVE = 1024;
        private final String text;
        private final byte[] deflated;
        private final int bytes;

        private Data(String text, byte[] deflated, int bytes) {
            this.text = text;
            this.deflated = deflated;
            this.bytes = bytes;
        }

        public static Data of(String json) {
            if (json == null) {
                return null;
            }
            byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
            if (json.length() <= DEFLATE_ABOVE) {
                return new Data(json, null, utf8.length);
            }
            Deflater d = new Deflater(Deflater.BEST_SPEED);
            try {
                d.setInput(utf8);
                d.finish();
                ByteArrayOutputStream out = new ByteArrayOutputStream(utf8.length / 4 + 64);
                byte[] buffer = new byte[8192];
                while (!d.finished()) {
                    out.write(buffer, 0, d.deflate(buffer));
                }
                return new Data(null, out.toByteArray(), utf8.length);
            } finally {
                d.end();
            }
        }

        public String text() {
            if (text != null) {
                return text;
            }
            Inflater i = new Inflater();
            try {
                i.setInput(deflated);
                byte[] utf8 = new byte[bytes];
                int n = 0;
                while (n < bytes && !i.finished()) {
                    n += i.inflate(utf8, n, bytes - n);
                }
                return new String(utf8, 0, n, StandardCharsets.UTF_8);
            } catch (DataFormatException e) {
                throw new IllegalStateException(e);
            } finally {
                i.end();
            }
        }

        /** Its size in UTF-8 bytes. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One event. {@code details} is its details object without the execution data, which is {@code data} under the member
     * {@code dataField} ({@code input}, {@code output}), with its {@code inputDetails} or {@code outputDetails}
     * ("HistoryEventExecutionDataDetails": {@code truncated}).
     */
    public record Event(long id, long previousEventId, long timestamp, String type, String detailsField, ObjectNode details,
                        String dataField, Data data) {

        /** The event as the JSON protocol carries it; without its input or output unless {@code includeData}. */
        public ObjectNode toJson(boolean includeData) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode o = f.objectNode();
            o.put("id", id);
            o.put("previousEventId", previousEventId);
            // Timestamps travel as epoch seconds with their milliseconds (API Reference, HistoryEvent: timestamp).
            o.set("timestamp", f.numberNode(BigDecimal.valueOf(timestamp, 3)));
            o.put("type", type);
            if (detailsField != null) {
                ObjectNode d = details == null ? f.objectNode() : details.deepCopy();
                if (data != null && includeData) {
                    d.put(dataField, data.text());
                }
                if (data != null) {
                    // Step Functions truncates data beyond its 256 KiB payload quota; the local cloud keeps it whole.
                    d.putObject(dataField + "Details").put("truncated", false);
                }
                o.set(detailsField, d);
            }
            return o;
        }
    }
}
