#!/usr/bin/env python3
"""Write the sample Tongcheng catalog (assets/catalog/tongcheng/).

SAMPLE DATA: producers, products, certificates, batches and links are invented
for demonstration; they are modelled on Tongcheng's public specialties but name
no real company. GTINs use the restricted-circulation prefix 20-29, which never
collides with a real product. Images are flat vector illustrations drawn by
illustrations.py (no photographs), each tagged 样例 SAMPLE. Needs cairosvg
(pip install cairosvg) to rasterise them; output is deterministic.

Usage: python3 assets/catalog/tools/make_tongcheng_sample.py [out_dir]
"""
import csv, os, sys, random

import illustrations  # vector motifs, rasterised with cairosvg

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tongcheng")
COUNTY = "421222"  # 通城县, GB/T 2260
rng = random.Random(421222)


def gs1_check(body):
    s = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - s % 10) % 10)


USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(kind_digit, serial):
    body = "9" + kind_digit + COUNTY + "MA4" + serial
    assert len(body) == 17, body
    s = sum(USCC.index(c) * w for c, w in zip(body, W))
    return body + USCC[(31 - s % 31) % 31]


# ---------------------------------------------------------------- images
def draw(path, motif, c1, c2, accent, seed):
    """One product, story or news picture (vector art, rasterised)."""
    illustrations.render(path, motif, c1, c2, accent, seed)


PALETTES = {
    "farm_produce": ((250, 236, 200), (236, 206, 150)),
    "tourism": ((196, 226, 246), (232, 244, 236)),
    "cultural": ((246, 226, 222), (230, 196, 186)),
    "industrial": ((226, 232, 236), (200, 210, 218)),
}

# ---------------------------------------------------------------- producers
# id, kind, name_zh, name_en, town, address, phone, intro_zh, intro_en, uscc kind digit
PRODUCERS = [
    ("paoshan-oil", "enterprise", "袍山油茶科技有限公司", "Paoshan Camellia Oil Co.", "石南镇", "石南镇黄袍山村油茶产业园1号", "13871234501", "以黄袍山高山油茶为原料，物理压榨，全程可追溯。", "Cold- and hot-pressed camellia oil from Huangpao Mountain groves.", "1"),
    ("tongcheng-pig", "cooperative", "通城县山猪原种养殖专业合作社", "Tongcheng Pig Breeders' Cooperative", "马港镇", "马港镇堰下村三组", "13971234502", "保种繁育地方良种通城猪，林下散养。", "Keeps and raises the local Tongcheng pig breed, free-range in woodland.", "3"),
    ("huanglong-tea", "enterprise", "黄龙山云雾茶业有限公司", "Huanglong Mountain Tea Co.", "麦市镇", "麦市镇黄龙村茶场", "13571234503", "海拔八百米云雾茶园，生态种植。", "Cloud-and-mist tea gardens at 800 m, grown without synthetic pesticides.", "1"),
    ("yaogu-herbs", "cooperative", "药姑山中药材专业合作社", "Yaogu Mountain Herb Cooperative", "塘湖镇", "塘湖镇药姑村", "15071234504", "种植金银花、黄精、葛根等道地药材。", "Honeysuckle, Solomon's seal and kudzu root from Yaogu Mountain.", "3"),
    ("junshui-foods", "enterprise", "隽水河农家食品厂", "Junshui River Farm Foods", "隽水镇", "隽水镇通城大道农副产品加工园", "18671234505", "传统工艺腊味、米粑与干货。", "Cured meats, rice cakes and dried goods made the traditional way.", "1"),
    ("guandao-farm", "family_farm", "关刀镇李家土鸡家庭农场", "Li Family Free-range Farm", "关刀镇", "关刀镇桃源村五组", "13271234506", "山林散养土鸡，每日拾蛋。", "Hens roam the hillside; eggs collected daily.", ""),
    ("daping-bees", "cooperative", "大坪乡蜂农专业合作社", "Daping Beekeepers' Cooperative", "大坪乡", "大坪乡内冲村", "13471234507", "中华蜂土法养殖，一年一取。", "Chinese honeybees kept in log hives, harvested once a year.", "3"),
    ("beigang-bamboo", "enterprise", "通城竹木工艺品有限公司", "Tongcheng Bamboo & Wood Crafts Co.", "北港镇", "北港镇工业园竹木路8号", "13771234508", "楠竹与杉木制品，日用与工艺兼备。", "Household goods and crafts from moso bamboo and fir.", "1"),
    ("tc-tourism", "enterprise", "通城县文旅发展有限公司", "Tongcheng Culture & Tourism Co.", "隽水镇", "隽水镇万雅国际商贸城", "07154321009", "黄龙山、药姑山、黄袍山线路与文化演出。", "Routes to Huanglong, Yaogu and Huangpao mountains, and cultural shows.", "1"),
    ("wuli-noodles", "individual", "五里镇红薯粉丝作坊", "Wuli Sweet-potato Noodle Workshop", "五里镇", "五里镇五里村二组", "13971234510", "手工漏粉，自然晾晒。", "Hand-pressed sweet-potato noodles, sun dried.", ""),
    ("dax-wetland", "cooperative", "四庄乡大溪湿地旅游合作社", "Daxi Wetland Tourism Cooperative", "四庄乡", "四庄乡大溪村", "15171234511", "湿地观鸟、游船与农家乐。", "Bird-watching, boat trips and farm stays at Daxi Wetland.", "3"),
    ("shadui-douchi", "individual", "沙堆镇老街豆豉作坊", "Shadui Old Street Douchi Workshop", "沙堆镇", "沙堆镇老街", "13871234512", "三代传承发酵豆豉。", "Fermented black beans, a three-generation family recipe.", ""),
]

# ---------------------------------------------------------------- products
# id, category, sub, name_zh, name_en, spec, price, unit, producer, gtin?, motif, featured, keywords, certs, n_images, intro_zh
P = [
    ("camellia-oil-500", "farm_produce", "食用油", "黄袍山压榨山茶油", "Huangpao camellia oil", "500毫升/瓶", "68", "元/瓶", "paoshan-oil", True, "bottle", True, "ycy shanchayou youcha", ["cert-oil-green"], 2, "高山油茶籽物理压榨，烟点高，适合炒菜凉拌。"),
    ("camellia-oil-gift", "farm_produce", "食用油", "黄袍山山茶油礼盒", "Camellia oil gift box", "1升×2瓶/盒", "268", "元/盒", "paoshan-oil", True, "box", True, "ycy lihe youcha", ["cert-oil-green"], 1, "两瓶一升装，节庆送礼佳品。"),
    ("camellia-oil-cold", "farm_produce", "食用油", "冷榨野山茶油", "Cold-pressed wild camellia oil", "250毫升/瓶", "58", "元/瓶", "paoshan-oil", True, "bottle", False, "lzycy youcha", ["cert-oil-green"], 1, "低温冷榨，保留茶油清香。"),
    ("tc-pig-bacon", "farm_produce", "腊味", "通城猪柴火腊肉", "Tongcheng pig smoked bacon", "500克/袋", "78", "元/袋", "tongcheng-pig", False, "pig", True, "tczlr larou", ["cert-pig-gi"], 2, "通城猪后腿肉，柴火慢熏四十天。"),
    ("tc-pig-fresh", "farm_produce", "畜禽", "通城猪鲜肉礼包", "Tongcheng pork gift pack", "2.5千克/箱", "198", "元/箱", "tongcheng-pig", False, "pig", False, "tczxr xianrou", ["cert-pig-gi"], 1, "冷链配送，含五花、前腿与排骨。"),
    ("tc-pig-sausage", "farm_produce", "腊味", "通城猪手工香肠", "Handmade pork sausage", "500克/袋", "65", "元/袋", "tongcheng-pig", False, "pig", False, "xc xiangchang", ["cert-pig-gi"], 1, "七分瘦三分肥，微辣。"),
    ("huanglong-green", "farm_produce", "茶叶", "黄龙山云雾绿茶", "Huanglong cloud-mist green tea", "250克/罐", "168", "元/罐", "huanglong-tea", True, "leaf", True, "hlsyw lvcha", ["cert-tea-organic"], 2, "明前采摘，一芽一叶，栗香持久。"),
    ("huanglong-black", "farm_produce", "茶叶", "黄龙山工夫红茶", "Huanglong congou black tea", "200克/罐", "128", "元/罐", "huanglong-tea", True, "leaf", False, "hc hongcha", ["cert-tea-organic"], 1, "夏茶精制，汤色红亮，蜜香。"),
    ("yaogu-white", "farm_produce", "茶叶", "药姑山高山白茶", "Yaogu mountain white tea", "100克/盒", "98", "元/盒", "huanglong-tea", False, "leaf", False, "bc baicha", [], 1, "日光萎凉，清甜耐泡。"),
    ("fresh-tea-leaf", "farm_produce", "鲜茶叶", "黄龙山鲜茶叶（采摘体验）", "Fresh tea leaves (picking)", "1千克", "40", "元/千克", "huanglong-tea", False, "leaf", False, "xcy caizhai", [], 1, "春季现采鲜叶，可参加炒茶体验。"),
    ("maishi-veg-box", "farm_produce", "蔬菜", "麦市高山蔬菜礼盒", "Maishi highland vegetable box", "5千克/箱", "88", "元/箱", "junshui-foods", False, "box", True, "gssc shucai", [], 1, "当季高山蔬菜，产地直发。"),
    ("tanghu-mushroom", "farm_produce", "食用菌", "塘湖椴木香菇", "Tanghu log-grown shiitake", "250克/袋", "45", "元/袋", "yaogu-herbs", False, "jar", False, "xg xianggu", [], 1, "椴木栽培，肉厚味浓。"),
    ("guandao-eggs", "farm_produce", "禽蛋", "关刀土鸡蛋", "Guandao free-range eggs", "30枚/盒", "45", "元/盒", "guandao-farm", False, "egg", True, "tjd jidan", [], 1, "林下散养，蛋黄橙红。"),
    ("guandao-hen", "farm_produce", "畜禽", "关刀林下土鸡", "Free-range hen", "约1.5千克/只", "138", "元/只", "guandao-farm", False, "egg", False, "tj tuji", [], 1, "散养一年以上，宰杀后冷链发货。"),
    ("wuli-noodles", "farm_produce", "粮油制品", "五里手工红薯粉丝", "Wuli sweet-potato noodles", "1千克/袋", "36", "元/袋", "wuli-noodles", False, "basket", False, "hsfs fensi", [], 1, "纯红薯淀粉，无添加。"),
    ("beigang-kudzu", "farm_produce", "粮油制品", "北港野生葛根粉", "Beigang kudzu root powder", "500克/罐", "58", "元/罐", "yaogu-herbs", False, "jar", False, "ggf gegen", [], 1, "深山野葛，水洗沉淀。"),
    ("daping-honey", "farm_produce", "蜂产品", "大坪土蜂蜜", "Daping wild honey", "500克/瓶", "88", "元/瓶", "daping-bees", True, "jar", True, "tfm fengmi", [], 2, "中华蜂百花蜜，一年一取。"),
    ("shadui-douchi", "farm_produce", "调味品", "沙堆老街豆豉", "Shadui fermented black beans", "400克/罐", "25", "元/罐", "shadui-douchi", False, "jar", False, "dc douchi", [], 1, "黑豆自然发酵，咸香回甘。"),
    ("shinan-rice-wine", "farm_produce", "酒类", "石南糯米甜酒", "Shinan sweet rice wine", "1千克/罐", "30", "元/罐", "junshui-foods", False, "jar", False, "nmjj tianjiu", [], 1, "糯米酒酿，冬日煮蛋佳品。"),
    ("magang-bamboo-shoot", "farm_produce", "干货", "马港竹笋干", "Magang dried bamboo shoots", "500克/袋", "48", "元/袋", "beigang-bamboo", False, "bamboo", False, "zsg sungan", [], 1, "春笋煮制晒干，泡发即用。"),
    ("tc-rice-cake", "farm_produce", "糕点", "通城米粑", "Tongcheng rice cakes", "1千克/袋", "26", "元/袋", "junshui-foods", False, "basket", False, "mb miba", [], 1, "早稻米磨浆蒸制，煎烤皆宜。"),
    ("yaogu-honeysuckle", "farm_produce", "中药材", "药姑山金银花", "Yaogu honeysuckle", "100克/罐", "48", "元/罐", "yaogu-herbs", False, "leaf", False, "jyh jinyinhua", [], 1, "花蕾期采摘，低温烘干。"),
    ("yaogu-polygonatum", "farm_produce", "中药材", "药姑山九蒸黄精", "Nine-steamed Solomon's seal", "250克/罐", "128", "元/罐", "yaogu-herbs", False, "jar", False, "hj huangjing", [], 1, "九蒸九晒，古法炮制。"),
    ("kiwi", "farm_produce", "水果", "大坪红心猕猴桃", "Daping red-heart kiwifruit", "2.5千克/箱", "68", "元/箱", "daping-bees", False, "fruit", True, "mht mihoutao", [], 1, "高山种植，糖度高。"),
    # tourism
    ("huanglong-ticket", "tourism", "景区门票", "黄龙山景区门票", "Huanglong Mountain admission", "成人票", "60", "元/人", "tc-tourism", False, "mountain", True, "hls menpiao", [], 2, "云海、杜鹃与避暑胜地。"),
    ("huangpao-park", "tourism", "景区门票", "黄袍山油茶公园与油茶博物馆", "Huangpao camellia park & museum", "成人票", "40", "元/人", "tc-tourism", False, "mountain", True, "hps bowuguan", [], 1, "国家油茶产业示范园区，国家AAA级旅游景区。"),
    ("yaogu-hike", "tourism", "线路", "药姑山徒步一日游", "Yaogu Mountain day hike", "含向导与午餐", "128", "元/人", "tc-tourism", False, "mountain", False, "ygs tubu", [], 1, "古茶道与药材基地徒步线路。"),
    ("daxi-boat", "tourism", "体验", "大溪湿地游船", "Daxi Wetland boat trip", "40分钟", "30", "元/人", "dax-wetland", False, "water", False, "dxsd youchuan", [], 1, "乘船观鸟，看芦苇荡。"),
    ("huanglong-homestay", "tourism", "住宿", "黄龙山云海民宿", "Huanglong sea-of-clouds homestay", "双人间一晚", "298", "元/晚", "tc-tourism", False, "mountain", False, "ms minsu", [], 1, "推窗见云海，含早餐。"),
    ("farm-stay-meal", "tourism", "餐饮", "大溪农家乐套餐", "Daxi farm-stay meal", "4人份", "260", "元/桌", "dax-wetland", False, "water", False, "njl nongjiale", [], 1, "湿地鱼、土鸡与时令蔬菜。"),
    ("junshui-night", "tourism", "体验", "隽水河夜游", "Junshui River night walk", "约1.5小时", "", "", "tc-tourism", False, "water", False, "jsh yeyou", [], 1, "免费开放的滨河步道与灯光秀。"),
    ("oil-study-tour", "tourism", "研学", "油茶采摘研学营", "Camellia picking study camp", "一天", "150", "元/人", "paoshan-oil", False, "mountain", False, "yx yanxue", [], 1, "采摘茶果、参观压榨，适合亲子。"),
    # cultural
    ("paida-dance", "cultural", "演出", "通城拍打舞专场演出", "Tongcheng Paida dance show", "60分钟", "80", "元/人", "tc-tourism", False, "dance", True, "pdw paidawu", [], 1, "国家级非物质文化遗产拍打舞。"),
    ("bamboo-basket", "cultural", "竹编", "手工竹编果篮", "Handwoven bamboo fruit basket", "直径30厘米", "88", "元/个", "beigang-bamboo", False, "basket", False, "zb zhubian", [], 1, "篾匠手工编织，结实耐用。"),
    ("wood-carving", "cultural", "木雕", "樟木雕油茶花摆件", "Camphor-wood camellia carving", "20厘米", "360", "元/件", "beigang-bamboo", False, "box", False, "md mudiao", [], 1, "樟木整雕，清香防虫。"),
    ("oil-postcards", "cultural", "文创", "黄袍山油茶文化明信片", "Camellia culture postcards", "12张/套", "30", "元/套", "paoshan-oil", False, "scroll", False, "mxp mingxinpian", [], 1, "手绘油茶四季，附博物馆印章。"),
    ("cloth-shoes", "cultural", "手工", "千层底手工布鞋", "Hand-stitched cloth shoes", "35–44码", "120", "元/双", "junshui-foods", False, "box", False, "bx buxie", [], 1, "纳底百针，透气养脚。"),
    ("paper-cut", "cultural", "剪纸", "通城剪纸（十二生肖）", "Tongcheng paper-cuts (zodiac)", "12张/册", "58", "元/册", "tc-tourism", False, "scroll", False, "jz jianzhi", [], 1, "民间艺人手工剪刻。"),
    ("tea-set", "cultural", "文创", "药姑山粗陶茶具", "Yaogu stoneware tea set", "一壶四杯", "260", "元/套", "huanglong-tea", False, "jar", False, "cj chaju", [], 1, "本地陶土烧制，朴拙自然。"),
    # industrial
    ("bamboo-board", "industrial", "竹木制品", "楠竹砧板", "Moso bamboo chopping board", "40×28厘米", "69", "元/块", "beigang-bamboo", False, "bamboo", True, "zb zhanban", [], 1, "整竹压制，不开裂。"),
    ("bamboo-mat", "industrial", "竹木制品", "楠竹凉席", "Bamboo sleeping mat", "1.8×2米", "299", "元/张", "beigang-bamboo", False, "bamboo", False, "lx liangxi", [], 1, "碳化竹片，夏季清凉。"),
    ("bamboo-towel", "industrial", "家纺", "竹纤维毛巾", "Bamboo-fibre towels", "3条/包", "39", "元/包", "beigang-bamboo", False, "box", False, "mj maojin", [], 1, "柔软吸水，抑菌。"),
    ("fir-storage", "industrial", "竹木制品", "杉木收纳箱", "Fir storage chest", "50×35×30厘米", "158", "元/个", "beigang-bamboo", False, "box", False, "snx shouna", [], 1, "实木榫卯，无胶。"),
    ("oil-soap", "industrial", "日化", "茶油手工皂", "Camellia oil soap", "100克×3块", "45", "元/盒", "paoshan-oil", False, "box", False, "xz xiangzao", [], 1, "冷制工艺，温和洁面。"),
    ("tea-seed-powder", "industrial", "日化", "茶籽洗洁粉", "Tea-seed dish powder", "1千克/袋", "28", "元/袋", "paoshan-oil", False, "basket", False, "cz xijie", [], 1, "茶籽粕制成，天然去油。"),
]

ACCENTS = [(196, 140, 40), (176, 70, 60), (70, 140, 80), (60, 120, 170), (150, 90, 150), (200, 120, 60), (120, 120, 60)]

CERTS = [
    ("cert-oil-green", "green_food", "LB-11-24061704567A", "中国绿色食品发展中心", "paoshan-oil", "山茶油", "2024-06-17", "2027-06-16"),
    ("cert-tea-organic", "organic", "166OP2400123", "中绿华夏有机产品认证中心", "huanglong-tea", "绿茶、红茶", "2026-03-01", "2027-02-28"),
    ("cert-pig-gi", "geo_indication", "AGI0XXXX-样例", "农业农村部（样例）", "tongcheng-pig", "通城猪及其制品", "2020-01-01", "2030-12-31"),
]

SERVICES = [
    ("policy", "free", "政策咨询", "Policy advice", "电商扶持政策、补贴申报解读。", "", "", "no"),
    ("shop-setup", "free", "开店指导", "Online shop set-up", "淘宝、拼多多、抖音小店开店一对一指导。", "", "", "no"),
    ("training", "free", "培训报名", "Training sign-up", "电商运营、直播带货、摄影培训报名。", "", "", "no"),
    ("trademark", "free", "商标注册咨询", "Trademark advice", "商标查询与注册流程指导。", "", "", "no"),
    ("finance", "free", "金融代办", "Finance services", "小额信贷、保险业务代办。", "", "", "no"),
    ("legal", "free", "法律咨询", "Legal advice", "合同、消费纠纷咨询。", "", "", "no"),
    ("logistics", "free", "物流对接", "Logistics matching", "快递进村、农产品上行物流对接。", "", "", "no"),
    ("jobs", "free", "就业招聘咨询", "Jobs and call-backs", "对招聘岗位感兴趣，中心回电联系企业。", "", "", "no"),
    ("complaint", "free", "投诉与建议", "Complaints & suggestions", "对服务的投诉与建议，五个工作日内办结。", "", "", "yes"),
    ("photo", "value_added", "商品拍摄", "Product photography", "白底图、场景图各5张。", "300", "元/组", "no"),
    ("shop-design", "value_added", "网店装修", "Shop design", "首页与详情页设计。", "800", "元/店", "no"),
    ("operation", "value_added", "代运营", "Shop management", "上新、客服与推广代运营。", "2000", "元/月", "no"),
    ("livestream", "value_added", "直播带货", "Live-stream selling", "主播与场地，一场两小时。", "500", "元/场", "no"),
    ("graphic", "value_added", "美工设计", "Graphic design", "海报、包装与标签设计。", "200", "元/张", "no"),
    ("video", "value_added", "短视频制作", "Short video", "拍摄剪辑一条60秒短视频。", "600", "元/条", "no"),
]


TOWNS = [
    ["juanshui", "隽水镇", "Juanshui", 50, 48],
    ["wuli", "五里镇", "Wuli", 48, 34],
    ["shadui", "沙堆镇", "Shadui", 26, 24],
    ["guandao", "关刀镇", "Guandao", 60, 16],
    ["daping", "大坪乡", "Daping", 82, 28],
    ["beigang", "北港镇", "Beigang", 80, 44],
    ["tanghu", "塘湖镇", "Tanghu", 70, 62],
    ["maishi", "麦市镇", "Maishi", 86, 78],
    ["shinan", "石南镇", "Shinan", 38, 64],
    ["magang", "马港镇", "Magang", 18, 50],
    ["sizhuang", "四庄乡", "Sizhuang", 22, 76],
]


# ---------------------------------------------------------------- content
# SAMPLE stories, training, jobs and news: invented, like everything here.
# People are named with （化名） (a pseudonym) as a published story would be.
# id, subject, name_zh, town, title_zh, title_en, text_zh, date, photo motif, producer, products
STORIES = [
    ("story-oil-sister", "person", "刘秀英（化名）", "shinan", "黄袍山的“油茶姐”：返乡开网店（样例）", "The camellia-oil sister of Huangpao Mountain (sample)",
     "刘秀英在深圳打工十年，2019年回到黄袍山，跟着中心的电商培训学会了开网店和拍短视频。如今她家的压榨山茶油一年在网上卖出八千多瓶，还带着村里十二户油茶农一起上线。",
     "2026-09-18", "bottle", "paoshan-oil", ["camellia-oil-500", "camellia-oil-gift"]),
    ("story-pig-coop", "enterprise", "通城县山猪原种养殖专业合作社", "magang", "山猪合作社：从散养到订单农业（样例）", "From free-range to orders ahead (sample)",
     "合作社把四十多户散养户组织起来，统一防疫、统一品牌，通过电商平台接受预订，腊肉提前两个月售罄，社员户均增收一万二千元。",
     "2026-08-02", "pig", "tongcheng-pig", ["tc-pig-bacon"]),
    ("story-tea-live", "person", "胡志刚（化名）", "maishi", "茶山上的直播间（样例）", "A live-stream studio on the tea hill (sample)",
     "胡志刚把手机架在茶园里，边采茶边直播。从第一场只有七个观众，到现在每场上千人在线，他说最要紧的是“实话实说，货真价实”。",
     "2026-10-09", "leaf", "huanglong-tea", []),
    ("story-bamboo-export", "enterprise", "通城竹木工艺品有限公司", "beigang", "竹编走出大山：第一笔跨境订单（样例）", "Bamboo crafts go abroad (sample)",
     "公司参加中心的跨境电商培训后，在跨境平台开店，竹编果篮和砧板卖到了东南亚，带动北港镇六十多位篾匠在家接单。",
     "2026-07-21", "bamboo", "beigang-bamboo", ["bamboo-basket", "bamboo-board"]),
    ("story-wetland-shop", "person", "吴小军（化名）", "sizhuang", "轮椅上的农家乐店主（样例）", "The farm-stay owner in a wheelchair (sample)",
     "吴小军行动不便，参加了助残电商专场培训，学会了网上接单和客服。他把家门口的大溪湿地农家乐搬到了网上，旺季每周接待三十多桌客人。",
     "2026-06-30", "water", "dax-wetland", ["farm-stay-meal"]),
    ("story-first-parcel", "person", "张桂兰（化名）", "daping", "六十八岁蜂农的第一张快递单（样例）", "A beekeeper's first parcel at 68 (sample)",
     "张桂兰在村服务站站长的帮助下，寄出了自家土蜂蜜的第一个快递。现在她每周到服务站发货，蜂蜜卖到了武汉和长沙。",
     "2026-11-05", "jar", "daping-bees", []),
]

# id, kind, audience, title_zh, title_en, intro_zh, organiser_zh
COURSES = [
    ("basics-101", "basics", "everyone", "电商入门：从开店到第一单", "E-commerce basics: open a shop, make the first sale", "手机开店、上架商品、接单发货，一步一步学会。", "通城县电商公共服务中心"),
    ("live-101", "live_streaming", "everyone", "直播带货实操", "Live-stream selling, hands-on", "布光、话术、选品与售后，现场开播练习。", "通城县电商公共服务中心"),
    ("women-live", "live_streaming", "women", "巾帼直播专场", "Live-streaming for women", "为农村妇女开设，时间避开接送孩子。", "县妇联、通城县电商公共服务中心"),
    ("design-photo", "design", "everyone", "手机拍图与详情页设计", "Phone photography and product pages", "用手机拍出干净的白底图，做一张好看的详情页。", "通城县电商公共服务中心"),
    ("ops-promo", "operations", "everyone", "店铺运营与推广", "Running and promoting a shop", "活动报名、评价管理、推广工具的用法。", "通城县电商公共服务中心"),
    ("cross-border", "cross_border", "everyone", "跨境电商入门：竹木制品出海", "Cross-border e-commerce for bamboo goods", "跨境平台开店、国际物流与收款。", "通城县电商公共服务中心"),
    ("partner-service", "partner", "everyone", "校企合作：电商客服实训", "Customer service training with the vocational school", "在职业教育中心实训室，企业导师带练。", "通城县职业教育中心、袍山油茶科技有限公司"),
    ("disabled-service", "basics", "disabled", "助残专场：居家网络客服", "Home-based online customer service", "为残疾人开设，学会后可居家接单。", "县残联、通城县电商公共服务中心"),
    ("lowincome-upstream", "basics", "low_income", "农产品上行：脱贫户专场", "Selling farm produce online", "为低收入户开设，讲清包装、寄递与售后。", "县乡村振兴局、通城县电商公共服务中心"),
    ("thirdparty-douyin", "third_party", "everyone", "抖音电商服务商公开课", "Douyin merchant open class", "平台服务商讲解抖音小店开通与运营。", "第三方服务商（样例）"),
]

# id, course, place, town, starts, ends, seats, price, signup, note, closes
SESSIONS = [
    ("basics-101-1208", "basics-101", "中心培训教室（隽水镇）", "juanshui", "2026-12-08 09:00", "2026-12-08 16:30", 40, "", "kiosk", "", "2026-12-07 18:00"),
    ("live-101-1210", "live-101", "中心直播间（隽水镇）", "juanshui", "2026-12-10 14:00", "2026-12-10 17:00", 20, "", "kiosk", "", "2026-12-09 18:00"),
    ("women-live-1215", "women-live", "石南镇村级服务站", "shinan", "2026-12-15 09:30", "2026-12-15 11:30", 15, "", "kiosk", "", "2026-12-14 18:00"),
    ("design-photo-1217", "design-photo", "中心培训教室（隽水镇）", "juanshui", "2026-12-17 09:00", "2026-12-17 12:00", 30, "", "kiosk", "", "2026-12-16 18:00"),
    ("disabled-service-1222", "disabled-service", "四庄乡村级服务站（无障碍）", "sizhuang", "2026-12-22 09:30", "2026-12-22 15:00", 10, "", "kiosk", "", "2026-12-21 18:00"),
    ("lowincome-upstream-1229", "lowincome-upstream", "大坪乡村级服务站", "daping", "2026-12-29 09:00", "2026-12-29 11:30", 25, "", "kiosk", "", "2026-12-28 18:00"),
    ("ops-promo-0105", "ops-promo", "中心培训教室（隽水镇）", "juanshui", "2027-01-05 14:00", "2027-01-05 17:00", 30, "", "kiosk", "", "2027-01-04 18:00"),
    ("cross-border-0112", "cross-border", "北港镇村级服务站", "beigang", "2027-01-12 09:00", "2027-01-13 16:00", 20, "100", "kiosk", "", "2027-01-10 18:00"),
    ("partner-service-0118", "partner-service", "通城县职业教育中心实训楼", "juanshui", "2027-01-18 08:30", "2027-01-22 17:00", 30, "", "phone", "电话报名：0715-4321000（职教中心教务处，样例）", "2027-01-15 17:00"),
    ("thirdparty-douyin-0120", "thirdparty-douyin", "中心多功能厅（隽水镇）", "juanshui", "2027-01-20 14:30", "2027-01-20 16:30", 80, "", "walk_in", "无需报名，直接到场", ""),
]

# id, producer, title_zh, title_en, town, pay min, pay max, unit, requirements, openings, valid until
JOBS = [
    ("job-oil-service", "paoshan-oil", "网店客服", "Online shop customer service", "shinan", 3200, 4200, "元/月", "会用手机打字，耐心细致；可培训上岗。", 3, "2027-03-31"),
    ("job-oil-packer", "paoshan-oil", "打包发货员", "Packer", "shinan", 130, 160, "元/天", "身体健康，旺季可加班。", 6, "2027-02-28"),
    ("job-tea-picker", "huanglong-tea", "采茶工（季节工）", "Tea picker (seasonal)", "maishi", 150, 220, "元/天", "明前茶季，管午饭。", 20, "2027-04-30"),
    ("job-bamboo-weaver", "beigang-bamboo", "竹编师傅", "Bamboo weaver", "beigang", 4000, 6000, "元/月", "有篾匠手艺；可居家计件。", 8, "2027-06-30"),
    ("job-homestay-keeper", "tc-tourism", "民宿管家", "Homestay keeper", "maishi", 3000, 3800, "元/月", "会做饭、会用手机接单。", 2, "2027-03-15"),
    ("job-live-assistant", "junshui-foods", "直播助理", "Live-stream assistant", "juanshui", 3500, None, "元/月", "普通话清楚，愿意上镜；参加过直播培训优先。", 2, "2027-02-15"),
]

# id, producer, date, title_zh, text_zh, photo motif
NEWS = [
    ("news-oil-harvest", "paoshan-oil", "2026-11-02", "新季茶籽开榨（样例）", "霜降后采收的茶籽已全部入库，新季压榨山茶油11月中旬上线。", "bottle"),
    ("news-tea-organic", "huanglong-tea", "2026-10-20", "茶园通过有机复审（样例）", "黄龙山茶园顺利通过有机产品认证年度复审。", "leaf"),
    ("news-bamboo-fair", "beigang-bamboo", "2026-10-28", "竹编亮相省农博会（样例）", "公司竹编果篮、砧板参展省农博会，现场签下三笔订单。", "basket"),
    ("news-pig-booking", "tongcheng-pig", "2026-11-12", "腊肉开始预订（样例）", "今冬柴火腊肉开始预订，春节前分批发货。", "pig"),
    ("news-homestay-open", "tc-tourism", "2026-09-30", "黄龙山云海民宿开业（样例）", "新装修的十二间客房投入使用，国庆期间已订满。", "mountain"),
    ("news-herbs-base", "yaogu-herbs", "2026-08-15", "金银花基地扩种两百亩（样例）", "合作社新增两百亩金银花基地，吸纳四十位村民务工。", "leaf"),
]


def content():
    """The content tables and their photos."""
    def w(name, header, rows):
        with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(header)
            wr.writerows(rows)
    story_rows = []
    for i, (sid, subject, name, town, title, title_en, text, date, motif, producer, products) in enumerate(STORIES):
        photo = f"{sid}-1.png"
        draw(os.path.join(OUT, "images", photo), motif, (236, 242, 230), (214, 226, 206), ACCENTS[i % len(ACCENTS)], 2000 + i)
        consent = "yes" if subject == "person" else ""
        story_rows.append([sid, subject, name, town, title, title_en, text, "", date, photo, producer, ";".join(products), consent])
    w("stories.csv", ["id", "subject", "name_zh", "town", "title_zh", "title_en", "text_zh", "text_en", "date", "photos", "producer_id", "product_ids", "consent"], story_rows)
    w("courses.csv", ["id", "kind", "audience", "title_zh", "title_en", "intro_zh", "organiser_zh"], COURSES)
    w("sessions.csv", ["id", "course_id", "place_zh", "town", "starts_at", "ends_at", "seats", "price_yuan", "signup", "signup_note_zh", "signup_closes_at"], SESSIONS)
    w("jobs.csv", ["id", "producer_id", "title_zh", "title_en", "town", "pay_min_yuan", "pay_max_yuan", "pay_unit_zh", "requirements_zh", "openings", "valid_until"],
      [[j[0], j[1], j[2], j[3], j[4], j[5] or "", j[6] or "", j[7], j[8], j[9], j[10]] for j in JOBS])
    news_rows = []
    for i, (nid, producer, date, title, text, motif) in enumerate(NEWS):
        photo = f"{nid}-1.png"
        draw(os.path.join(OUT, "images", photo), motif, (246, 240, 228), (232, 222, 204), ACCENTS[(i + 3) % len(ACCENTS)], 3000 + i)
        news_rows.append([nid, producer, date, title, text, photo])
    w("news.csv", ["id", "producer_id", "date", "title_zh", "text_zh", "photo"], news_rows)


def main():
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    gtin_serial = 100
    def w(name, header, rows):
        with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(header)
            wr.writerows(rows)

    with open(os.path.join(OUT, "catalog.toml"), "w", encoding="utf-8") as f:
        f.write('# SAMPLE DATA for demonstration: invented producers and products.\n')
        f.write('name = "通城县电商公共服务中心 产品目录（样例）"\n')
        f.write(f'county_code = "{COUNTY}"\n')
        f.write('trace_base = "https://trace.example.gov.cn"\n')
        f.write('sample = true\n')

    prod_rows = []
    for i, (pid, kind, name, name_en, town, addr, phone, intro, intro_en, ud) in enumerate(PRODUCERS):
        code = uscc(ud, f"TC{i + 1:04d}") if ud else ""
        logo = ""
        if kind in ("enterprise", "cooperative"):
            logo = f"logo-{pid}.png"
            # The badge shows what the producer makes: its first product's motif.
            motif = next((p[10] for p in P if p[8] == pid), "scroll")
            illustrations.render_logo(os.path.join(OUT, "images", logo), motif, ACCENTS[i % len(ACCENTS)], 1000 + i)
        prod_rows.append([pid, kind, name, name_en, code, town, addr, phone, intro, intro_en, logo])
    w("producers.csv", ["id", "kind", "name_zh", "name_en", "uscc", "town", "address", "contact_phone", "intro_zh", "intro_en", "logo"], prod_rows)

    w("certifications.csv", ["id", "kind", "number", "issuer", "holder_id", "scope_zh", "valid_from", "valid_until"], CERTS)

    product_rows, batch_rows, record_rows = [], [], []
    serial = 1
    for i, (pid, cat, sub, name, name_en, spec, price, unit, producer, has_gtin, motif, featured, kw, certs, n_img, intro) in enumerate(P):
        imgs = []
        for k in range(n_img):
            fname = f"{pid}-{k + 1}.png"
            c1, c2 = PALETTES[cat]
            draw(os.path.join(OUT, "images", fname), motif, c1, c2, ACCENTS[(i + k) % len(ACCENTS)], i * 10 + k)
            imgs.append(fname)
        gtin = ""
        if has_gtin:
            body = f"2{COUNTY}{gtin_serial:05d}"
            gtin_serial += 1
            gtin = body + gs1_check(body)
        product_rows.append([pid, cat, sub, name, name_en, spec, price, unit, producer, gtin, intro, "", "yes" if featured else "no", kw, ";".join(certs), ";".join(imgs)])
        if cat == "farm_produce":
            for b in range(1 if i % 3 else 2):
                day = 1 + (i * 7 + b * 11) % 27
                month = 9 + b
                prod = f"2026-{month:02d}-{day:02d}"
                yymmdd = f"26{month:02d}{day:02d}"
                lot = f"{yymmdd}-{chr(65 + i % 26)}{b + 1}"
                bid = f"{pid}-{lot.lower()}"
                code = ""
                if not gtin:
                    body = f"{COUNTY}{yymmdd}{serial:04d}"
                    serial += 1
                    code = body + gs1_check(body)
                need_cert = sub in ("蔬菜", "水果", "食用菌", "鲜茶叶", "畜禽", "禽蛋", "水产")
                commit = f"HBTC{yymmdd}{i:03d}{b}" if need_cert or i % 2 == 0 else ""
                best = f"2027-{month:02d}-{day:02d}" if sub not in ("蔬菜", "水果", "鲜茶叶", "畜禽") else f"2026-{month:02d}-{min(day + 7, 28):02d}"
                if sub in ("蔬菜", "水果", "鲜茶叶", "畜禽"):
                    best = f"2026-{month + (1 if day + 7 > 28 else 0):02d}-{(day + 7 - 1) % 28 + 1:02d}"
                town = next(p[4] for p in PRODUCERS if p[0] == producer)
                batch_rows.append([bid, pid, lot, prod, prod, best, "", f"{200 + i * 13} {unit.split('/')[-1] if unit else '份'}", f"通城县{town}", commit, code])
                pname = next(p[2] for p in PRODUCERS if p[0] == producer)
                pd = lambda d: f"2026-{month:02d}-{max(1, day - d):02d}"
                record_rows.append([bid, pd(20) if day > 20 else f"2026-{month - 1:02d}-{day + 5:02d}", "input", pname, "施用腐熟农家肥，未使用化学农药（样例记录）"])
                record_rows.append([bid, pd(3), "produce", pname, f"采收/加工：{name}"])
                record_rows.append([bid, pd(1), "inspection", "通城县农产品质量安全检测站（样例）", "农残速测合格，抑制率低于50%"])
                if commit:
                    record_rows.append([bid, prod, "certificate", pname, f"开具承诺达标合格证 {commit}"])
                record_rows.append([bid, prod, "store", "通城县电商公共服务中心仓", "入库，常温避光"])
    w("products.csv", ["id", "category", "subcategory_zh", "name_zh", "name_en", "spec_zh", "price_yuan", "price_unit_zh", "producer_id", "gtin", "intro_zh", "intro_en", "featured", "keywords", "certification_ids", "images"], product_rows)
    w("batches.csv", ["id", "product_id", "lot", "production_date", "packaging_date", "best_before", "expiry", "quantity", "origin_zh", "commitment_cert", "trace_code"], batch_rows)
    w("trace_records.csv", ["batch_id", "date", "stage", "actor_zh", "detail_zh"], record_rows)
    w("services.csv", ["id", "kind", "name_zh", "name_en", "description_zh", "price_yuan", "price_unit_zh", "is_complaint"], SERVICES)
    shops = []
    for k, (pid, *_rest) in enumerate([p for p in P if p[1] == "farm_produce"][:14]):
        producer = next(p[8] for p in P if p[0] == pid)
        plat = ["taobao", "pinduoduo", "jd", "douyin", "tmall", "wechat"][k % 6]
        label = {"taobao": "淘宝店", "pinduoduo": "拼多多店", "jd": "京东店", "douyin": "抖音小店", "tmall": "天猫旗舰店", "wechat": "微信小程序"}[plat]
        shops.append([f"shop-{pid}", producer, pid, plat, label, f"https://shop.example.cn/{plat}/{pid}"])
    w("shops.csv", ["id", "producer_id", "product_id", "platform", "label_zh", "url"], shops)
    # The big screen's map: SCHEMATIC positions (0-100 across, down), not a survey.
    w("towns.csv", ["id", "name_zh", "name_en", "x", "y"], TOWNS)
    content()


if __name__ == "__main__":
    main()
