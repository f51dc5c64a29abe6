# Turns a static file into C: its bytes and the start of its SHA-256,
# which goes into its URL so that it can be cached for ever.
file(READ ${IN} hex HEX)
file(SHA256 ${IN} sum)
string(SUBSTRING ${sum} 0 12 short)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* generated from ${NAME} */\n#include <stddef.h>\n"
	"const unsigned char ${VAR}[] = {${bytes}};\n"
	"const size_t ${VAR}_len = ${len};\n"
	"const char ${VAR}_hash[] = \"${short}\";\n")
