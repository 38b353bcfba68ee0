/* Read the page aloud with the browser's own speech synthesis (no network, no third party).
   The button stays hidden unless JavaScript and speechSynthesis are both available. */
(function () {
    "use strict";

    function ready(fn) {
        if (document.readyState !== "loading") {
            fn();
        } else {
            document.addEventListener("DOMContentLoaded", fn);
        }
    }

    function textToRead() {
        var root = document.querySelector("[data-read-aloud-root]") || document.getElementById("main");
        if (!root) {
            return "";
        }
        var copy = root.cloneNode(true);
        copy.querySelectorAll("form, script, [aria-hidden='true']").forEach(function (el) {
            el.remove();
        });
        return copy.textContent.replace(/\s+/g, " ").trim();
    }

    /* Long texts stall some engines: speak in sentence-sized chunks. */
    function chunks(text) {
        var parts = text.match(/[^。！？.!?]+[。！？.!?]?/g) || [text];
        var out = [];
        var current = "";
        parts.forEach(function (part) {
            if ((current + part).length > 180 && current) {
                out.push(current);
                current = "";
            }
            current += part;
        });
        if (current) {
            out.push(current);
        }
        return out;
    }

    ready(function () {
        var group = document.querySelector("[data-read-aloud]");
        if (!group || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
            return;
        }
        var button = group.querySelector("button");
        var synth = window.speechSynthesis;
        var lang = document.documentElement.lang || "zh-Hans";
        var speaking = false;

        function setState(on) {
            speaking = on;
            button.textContent = on ? group.dataset.labelStop : group.dataset.labelStart;
        }

        button.addEventListener("click", function () {
            if (speaking) {
                synth.cancel();
                setState(false);
                return;
            }
            var parts = chunks(textToRead());
            if (!parts.length) {
                return;
            }
            synth.cancel();
            parts.forEach(function (part, index) {
                var utterance = new SpeechSynthesisUtterance(part);
                utterance.lang = lang === "zh-Hans" ? "zh-CN" : lang;
                utterance.rate = 0.9;
                if (index === parts.length - 1) {
                    utterance.onend = function () { setState(false); };
                }
                utterance.onerror = function () { setState(false); };
                synth.speak(utterance);
            });
            setState(true);
        });

        window.addEventListener("pagehide", function () { synth.cancel(); });
        group.hidden = false;
    });
})();
