// benchmarks/inputs.cpp — deterministic inputs of mailwire-bench (fixed seeds, std::mt19937_64,
// whose output the C++ standard specifies, so every machine gets the same bytes).
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "bench.hpp"

namespace mwbench {

std::string_view group_name(group g) noexcept {
  switch (g) {
    case group::b64_decode_mime: return "base64_decode_mime";
    case group::b64_decode_plain: return "base64_decode_plain";
    case group::b64_encode_mime: return "base64_encode_mime";
    case group::b64_encode_plain: return "base64_encode_plain";
    case group::qp_decode_text: return "qp_decode_text";
    case group::qp_encode_text: return "qp_encode_text";
  }
  return "unknown";
}

std::string random_bytes(std::size_t n, unsigned long long seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t v = rng();
    for (std::size_t k = 0; k < 8 && i + k < n; ++k, v >>= 8)
      s[i + k] = static_cast<char>(v & 0xffu);
  }
  return s;
}

namespace {

// Words with letters outside ASCII (French, German, Spanish, Portuguese, Polish, Czech, Swedish,
// Danish, Hungarian, Romanian, Turkish, Italian), and common words in plain ASCII.
constexpr std::string_view accented[] = {
    // French
    "été", "déjà", "très", "où", "à", "français", "élève", "fenêtre", "château", "garçon",
    "hôpital", "forêt", "noël", "leçon", "père", "mère", "frère", "cœur", "sœur", "œuvre",
    "première", "théâtre", "répondre", "général", "société", "créé", "bientôt", "même",
    "problème", "qualité", "sécurité", "préféré", "début", "café", "aéroport", "connaître",
    // German
    "für", "über", "schön", "Größe", "Straße", "Mädchen", "Bäcker", "Käse", "Tür", "Brücke",
    "müssen", "können", "größer", "Frühstück", "Übung", "Äpfel", "Öl", "fußball", "hören",
    "zurück", "Gebäude", "natürlich", "Lösung", "Grüße", "Füße", "während", "Stück",
    // Spanish
    "año", "niño", "mañana", "señor", "España", "corazón", "canción", "después", "también",
    "información", "teléfono", "música", "pequeño", "rápido", "árbol", "difícil", "número",
    "jamás", "sábado", "miércoles", "compañía", "aquí", "allí", "último", "¿qué", "¡sí",
    // Portuguese
    "não", "coração", "irmã", "pão", "mãe", "avó", "você", "está", "português", "educação",
    "informação", "aviões", "lições", "até", "após", "amanhã", "cidadão", "órgão",
    // Polish
    "źdźbło", "żółć", "gęś", "łódź", "miłość", "pióro", "książka", "dziękuję", "proszę",
    "mężczyzna", "słońce", "życie", "jabłko", "święto", "dzień", "późno", "gałąź", "ręka",
    "więcej", "można", "język", "częściej", "przyjaciół", "wieś", "środa",
    // Czech, Slovak
    "příliš", "žluťoučký", "kůň", "úpěl", "ďábelské", "ódy", "řeka", "čas", "škola", "město",
    "děkuji", "práce", "člověk", "věc", "dům",
    // Swedish, Danish, Norwegian, Finnish
    "på", "även", "så", "där", "här", "får", "skål", "smörgås", "ø", "æble", "søster",
    "blåbær", "hyvää", "päivää", "yö",
    // Hungarian, Romanian, Turkish, Italian
    "köszönöm", "árvíztűrő", "tükörfúrógép", "mulțumesc", "școală", "până", "țară",
    "teşekkür", "güzel", "çok", "città", "perché", "però", "così", "più", "università",
};

constexpr std::string_view plain[] = {
    // French
    "le", "la", "les", "de", "des", "et", "un", "une", "pour", "avec", "dans", "sur", "pas",
    "nous", "vous", "mais", "bonjour", "maison", "temps", "jour", "monde", "chose", "homme",
    "grand", "petit", "bien", "toujours", "rien", "encore", "merci", "lettre", "message",
    // German
    "der", "die", "das", "und", "ist", "nicht", "mit", "auf", "sich", "auch", "ein", "eine",
    "haben", "werden", "Haus", "Zeit", "Jahr", "Mann", "Frau", "Kind", "Stadt", "heute",
    "morgen", "immer", "wieder", "Arbeit", "Freund", "Nachricht", "Bitte", "danke",
    // Spanish
    "el", "los", "las", "del", "que", "por", "con", "para", "una", "como", "pero", "hola",
    "casa", "tiempo", "amigo", "ciudad", "mundo", "trabajo", "gracias", "noche", "agua",
    // Portuguese
    "o", "os", "um", "uma", "em", "com", "mas", "obrigado", "dia", "cidade", "carta",
    "amanha", "tudo", "bem", "muito", "pessoa", "caminho",
    // Polish
    "nie", "jest", "to", "na", "w", "z", "do", "tak", "dobry", "dom", "kot", "pies", "woda",
    "miasto", "praca", "czas", "rok", "ludzie", "droga", "okno",
    // Czech, Swedish, Italian, English
    "a", "je", "se", "jak", "ale", "och", "att", "det", "som", "med", "inte", "il", "di",
    "che", "non", "per", "una", "sono", "the", "and", "of", "mail", "meeting", "report",
};

constexpr std::string_view punctuation[] = {",", ",", ",", ".", ".", ";", ":", "!", "?", " -",
                                            "…", " –"};

}  // namespace

std::string european_text(std::size_t n, unsigned long long seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t k) { return static_cast<std::size_t>(rng() % k); };
  constexpr std::size_t max_line = 70;
  constexpr double target = 1.0 / 6.0;  // wanted share of bytes that QP escapes
  std::string out;
  out.reserve(n + 128);
  std::string line;
  std::size_t high = 0;  // bytes >= 0x80 so far (each one is escaped as =XX)
  bool sentence_start = true;
  auto flush_line = [&] {
    out += line;
    out += "\r\n";
    line.clear();
  };
  while (out.size() + line.size() + max_line + 2 < n) {
    // Steer toward the target: pick an accented word more often while below it.
    const double share =
        static_cast<double>(high) / static_cast<double>(out.size() + line.size() + 1);
    const bool want_accent = pick(100) < (share < target ? 62u : 18u);
    std::string word(want_accent ? accented[pick(std::size(accented))]
                                 : plain[pick(std::size(plain))]);
    if (pick(40) == 0) word = std::to_string(pick(2025));
    if (sentence_start && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 32);
    sentence_start = false;
    if (pick(7) == 0) {
      const std::string_view p = punctuation[pick(std::size(punctuation))];
      word += p;
      sentence_start = p == "." || p == "!" || p == "?" || p == "…";
    }
    if (pick(60) == 0) word = "«" + word + "»";
    const std::size_t need = (line.empty() ? 0 : 1) + word.size();
    if (line.size() + need > max_line) {
      flush_line();
      if (pick(12) == 0) out += "\r\n";  // paragraph break
    }
    if (!line.empty()) line += ' ';
    line += word;
    for (unsigned char c : word) high += c >= 0x80;
  }
  if (!line.empty()) flush_line();
  // Fill to exactly n bytes with a last ASCII line.
  if (out.size() + 2 <= n) {
    const std::size_t fill = n - out.size() - 2;
    for (std::size_t i = 0; i < fill; ++i) out += (i % 9 == 8 && i + 1 < fill) ? ' ' : static_cast<char>('a' + i % 26);
    out += "\r\n";
  }
  out.resize(n);
  return out;
}

}  // namespace mwbench
