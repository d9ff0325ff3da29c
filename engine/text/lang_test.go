package text

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		in   string
		want Lang
	}{
		{"تطبيقات الذكاء الاصطناعي تُستخدم في مختلف المجالات لتحسين الكفاءة.", Arabic},
		{"ما هي عاصمة المملكة العربية السعودية؟", Arabic},
		{"الْعَرَبِيَّةُ", Arabic},
		{"ما هو Python؟ لغة برمجة شائعة", Arabic}, // Arabic letters dominate
		{"Hà Nội là thủ đô của Việt Nam.", Vietnamese},
		{"Phở bò là món ăn truyền thống của người Việt.", Vietnamese},
		{"ĐẠI HỌC QUỐC GIA HÀ NỘI", Vietnamese},
		{"phở", Vietnamese},
		{norm.NFD.String("Thành phố Hồ Chí Minh có khoảng chín triệu dân."), Vietnamese},
		{"The capital of Vietnam is Hà Nội, a large city in the north.", English},
		{"Don't panic—it's fine!", English},
		{"Le café de la forêt est très célèbre.", English}, // French: Latin without Vietnamese-only letters
		{"Большой город", Other},
		{"東京は日本の首都です", Other},
		{"12345 !!!", Other},
		{"", Other},
	}
	for _, c := range cases {
		if got := Detect(c.in); got != c.want {
			t.Errorf("Detect(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
