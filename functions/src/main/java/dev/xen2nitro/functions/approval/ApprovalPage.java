package dev.xen2nitro.functions.approval;

import java.util.Map;

/**
 * The page the mailed link opens, written by the approval function: what waits (instance, target type, backup image, who
 * asked, until when, the plan's hash and its steps) with a form to approve, which asks for a confirmation, and one to
 * reject; and the page that says what became of an answer. Plain HTML, no script; the response headers keep it out of
 * frames and caches and keep the link's secret out of Referer headers.
 */
public final class ApprovalPage {
    private ApprovalPage() {}

    /** No script, no frames, no cache, no referrer: the link's secret stays in the address bar (MDN, Content-Security-Policy). */
    public static final Map<String, String> HEADERS = Map.of(
            "content-type", "text/html; charset=utf-8",
            "content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            "referrer-policy", "no-referrer",
            "cache-control", "no-store",
            "x-content-type-options", "nosniff");

    static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                + "<title>" + escape(title) + "</title><style>body{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#111}"
                + "th{text-align:left;padding-right:1em;vertical-align:top;white-space:nowrap}td{font-family:monospace}form{margin:1.5em 0;padding:1em;border:1px solid #999}"
                + "button{font-size:1em;padding:.4em 1em}.approve button{background:#1a7f37;color:#fff}.reject button{background:#b42318;color:#fff}"
                + "textarea{width:100%}</style></head><body>\n" + body + "\n</body></html>\n";
    }

    /**
     * The review page: what waits, and the two forms, which carry the link's approval, secret and plan hash back.
     *
     * @param approver the entry of ApproverArns the link was mailed to, whose answer this page gives
     */
    public static String review(PendingApproval p, Approvers approvers, String approver, String approval, String key) {
        StringBuilder b = new StringBuilder();
        b.append("<h1>Approve moving ").append(escape(p.instanceId())).append(" to ").append(escape(p.targetType())).append("?</h1>\n");
        b.append("<table>\n");
        row(b, "Instance", p.instanceId());
        row(b, "Target type", p.targetType());
        row(b, "Backup AMI", p.backupImageId());
        row(b, "Requested by", p.requestedBy() != null ? p.requestedBy() : p.starterSettled() ? "(a service: no IAM identity)"
                : "(not in CloudTrail yet: looked for again when you approve)");
        row(b, "Requested at", p.requestedAt());
        row(b, "Waits until", p.expiresAt());
        row(b, "Execution", p.execution());
        row(b, "Plan hash", p.planHash());
        row(b, "Approvals", p.approvals().size() + " of " + approvers.minimum());
        row(b, "You answer as", approver);
        b.append("</table>\n<h2>Plan</h2>\n<ul id=\"plan\">\n");
        for (String line : p.plan()) {
            b.append("<li>").append(escape(line)).append("</li>\n");
        }
        b.append("</ul>\n<p>Approving stops the instance once, enables ENA, changes its type and starts it; the NVMe driver and"
                + " Sysprep_Generalize_Pnp run first, and the preflight runs again before anything else. This link answers once.</p>\n");
        String hidden = "<input type=\"hidden\" name=\"approval\" value=\"" + escape(approval) + "\"><input type=\"hidden\" name=\"key\" value=\""
                + escape(key) + "\"><input type=\"hidden\" name=\"planHash\" value=\"" + escape(p.planHash()) + "\">";
        b.append("<form class=\"approve\" method=\"post\" action=\"./\">").append(hidden)
                .append("<input type=\"hidden\" name=\"decision\" value=\"approve\">")
                .append("<p><label><input type=\"checkbox\" id=\"confirm\" name=\"confirm\" value=\"yes\" required> I have read the plan ")
                .append(escape(p.planHash(), 12)).append(" and approve moving ").append(escape(p.instanceId())).append(" to ")
                .append(escape(p.targetType())).append("</label></p><button id=\"approve\" type=\"submit\">Approve</button></form>\n");
        b.append("<form class=\"reject\" method=\"post\" action=\"./\">").append(hidden)
                .append("<input type=\"hidden\" name=\"decision\" value=\"reject\">")
                .append("<p><label for=\"reason\">Reason</label><br><textarea id=\"reason\" name=\"reason\" rows=\"2\" maxlength=\"")
                .append(AnswerRules.MAX_REASON).append("\"></textarea></p><button id=\"reject\" type=\"submit\">Reject</button></form>\n");
        return page("xen2nitro: approve " + p.instanceId() + " -> " + p.targetType() + "?", b.toString());
    }

    private static String escape(String s, int first) {
        return escape(s == null ? "" : s.substring(0, Math.min(first, s.length())) + "...");
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    /** What became of a request: a heading and the message, in a page of its own. */
    public static String result(String title, String message) {
        return page("xen2nitro: " + title, "<h1 id=\"result\">" + escape(title) + "</h1>\n<p id=\"message\">" + escape(message) + "</p>");
    }
}
