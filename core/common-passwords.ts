/**
 * Common passwords refused by the password policy (core/validators.ts checkPassword), compared without regard to
 * case. Only entries that would otherwise pass the rule (8+ characters from 3 of the 4 classes) matter; they come
 * from the published lists of the most used passwords (the leaked CSDN, 178.com, 7k7k and 12306 lists, and the
 * SecLists top lists), with the patterns Chinese users favour: Aa123456, Woaini1314, Qq123456, a name or a word with
 * a year or 123, keyboard walks (1qaz@WSX, Qwer1234!), and the platform's own names.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `
aa123456 aa1234567 aa12345678 aa123456789 aa112233 aa111111 aa666666 aa888888 aa147258 aa520520 aa5201314
aaa123456 aaa12345 abc12345 abc123456 abc1234567 abc123456789 abcd1234 abcd12345 abcd123456 abc123abc
a1234567 a12345678 a123456789 a1b2c3d4 a1s2d3f4 a7758521 a5201314 a123123123 aa123123 aaa111111
qq123456 qq1234567 qq12345678 qq123456789 qq5201314 qq520520 qq666666 qq888888 qq111111 qq112233
woaini1314 woaini520 woaini123 woaini521 woaini888 woaini1314520 woaini5201314 iloveyou1 iloveyou123
5201314a 5201314qq 1314520a 1314521a woaini@1314 woaini1314! woaini1314. woaini1314@
password1 password12 password123 password1234 password1! password@123 password#1 passw0rd passw0rd! p@ssw0rd p@ssword
p@ssw0rd1 p@ssw0rd123 p@ssw0rd! p@$$w0rd pa$$w0rd pa$$word1 passw0rd1 passw0rd123 password! password.
admin123 admin1234 admin12345 admin123456 admin@123 admin@1234 admin#123 admin123! admin888 admin666 admin2023 admin2024
admin2025 admin2026 administrator1 root1234 root@123 root123456 test1234 test123456 test@123 user1234 user@123
qwer1234 qwer12345 qwer123456 qwer1234! qwer@1234 qwert123 qwert12345 qwerty12 qwerty123 qwerty1234 qwerty123!
qweasd123 qweasdzxc1 qazwsx123 qazwsxedc1 1qaz2wsx3edc 1qaz@wsx 1qaz!qaz 1qazxsw2 1qaz2wsx! 1q2w3e4r 1q2w3e4r5t
1q2w3e4r! 1q2w3e4r5t6y zaq12wsx zxcvbnm1 zxcv1234 asdf1234 asdf12345 asd123456 asdfgh123 zxc123456 zxc12345
welcome1 welcome123 welcome@1 letmein1 monkey123 dragon123 sunshine1 princess1 football1 baseball1 superman1
china123 china1234 china2008 china@123 china12345 beijing2008 beijing123 xinjiang1 xinjiang123 xinjiang@123
xjkx1234 xjkx123456 xjkx@123 xjkx@1234 xjkx2024 xjkx2025 xjkx2026 kexie123 kexie@123 kexie1234
wang123456 zhang123 zhang123456 li123456 liu123456 chen123456 yang123456 huang123456 zhao123456 wu123456
wangwei123 zhangwei123 liwei123 lilei123 hanmeimei1 woshishui1 nihao123 nihao1234 nihaoma123
aini1314 aini1314a 520520aa 5211314a 1314woaini 147258369a 123456aa 123456abc 123456qq 123456ab
123456a! 123456a. 123456a@ 12345678a 123456789a 1234567890a 1234abcd 12345abc 123qwe!@# 123qweasd 123abc!@#
1234qwer 12345qwert 123456qwe 1234asdf 1a2b3c4d 1a2b3c4d5e 88888888a 66666666a 11111111a 00000000a
aa11111111 abc@1234 abc@123456 abc#1234 abc!1234 abcd@1234 abcd!1234 abcd#1234 abcd1234! abcd1234@
summer2024 summer2025 winter2024 spring2025 autumn2025 hello123 hello1234 hello@123 iloveu1314 love1314
asdqwe123 qwe123456 qwe123!@# qwe!@#123 !qaz2wsx !qaz@wsx #edc4rfv zaq1@wsx 2wsx#edc
`
    .split(/\s+/)
    .filter(Boolean),
);
