import type { Rng } from './prng.domain.ts';

/*
 * Fake names: common given names and surnames, combined at random, so that no row describes a
 * real person. The lists lean on the heritages common in Southern California, and a person's
 * language tilts which list their name comes from.
 */

interface NameList {
  female: readonly string[];
  male: readonly string[];
  surnames: readonly string[];
}

// prettier-ignore
const general: NameList = {
  female: [
    'Emily', 'Sarah', 'Jessica', 'Ashley', 'Lauren', 'Megan', 'Rachel', 'Hannah', 'Olivia', 'Emma',
    'Madison', 'Amanda', 'Nicole', 'Brittany', 'Samantha', 'Katherine', 'Rebecca', 'Danielle',
    'Jennifer', 'Michelle', 'Linda', 'Patricia', 'Susan', 'Karen', 'Deborah', 'Aaliyah', 'Imani',
    'Jasmine', 'Kayla', 'Taylor', 'Abigail', 'Grace', 'Chloe', 'Natalie', 'Leah', 'Erin',
  ],
  male: [
    'James', 'Michael', 'David', 'Robert', 'John', 'Daniel', 'Matthew', 'Christopher', 'Andrew',
    'Joshua', 'Ryan', 'Tyler', 'Brandon', 'Justin', 'Kevin', 'Jason', 'Eric', 'Steven', 'Thomas',
    'Brian', 'Mark', 'Richard', 'William', 'Jacob', 'Ethan', 'Noah', 'Dylan', 'Marcus', 'Darnell',
    'Terrence', 'Caleb', 'Nathan', 'Aaron', 'Kyle', 'Sean', 'Patrick',
  ],
  surnames: [
    'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson',
    'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Thompson', 'White', 'Harris', 'Clark',
    'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker',
    'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans',
    'Turner', 'Parker', 'Collins', 'Edwards', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers',
    'Morgan', 'Cooper', 'Peterson', 'Reed', 'Bailey', 'Bell', 'Kelly', 'Howard', 'Ward', 'Cox',
    'Brooks', 'Bennett', 'Wood', 'Hughes', 'Price', 'Foster', 'Sanders', 'Coleman', 'Jenkins',
  ],
};

// prettier-ignore
const hispanic: NameList = {
  female: [
    'Maria', 'Guadalupe', 'Ana', 'Rosa', 'Veronica', 'Yesenia', 'Adriana', 'Alejandra', 'Gabriela',
    'Daniela', 'Valeria', 'Ximena', 'Lucia', 'Sofia', 'Isabel', 'Carmen', 'Elena', 'Leticia',
    'Marisol', 'Paola', 'Araceli', 'Beatriz', 'Claudia', 'Esmeralda', 'Fernanda', 'Jimena',
  ],
  male: [
    'Jose', 'Juan', 'Luis', 'Carlos', 'Jorge', 'Miguel', 'Jesus', 'Francisco', 'Alejandro',
    'Ricardo', 'Eduardo', 'Fernando', 'Javier', 'Roberto', 'Sergio', 'Manuel', 'Oscar', 'Raul',
    'Hector', 'Diego', 'Mateo', 'Santiago', 'Emilio', 'Arturo', 'Rafael', 'Armando',
  ],
  surnames: [
    'Garcia', 'Hernandez', 'Lopez', 'Martinez', 'Gonzalez', 'Rodriguez', 'Perez', 'Sanchez',
    'Ramirez', 'Torres', 'Flores', 'Rivera', 'Gomez', 'Diaz', 'Reyes', 'Cruz', 'Morales', 'Ortiz',
    'Gutierrez', 'Chavez', 'Ramos', 'Ruiz', 'Alvarez', 'Mendoza', 'Vasquez', 'Castillo', 'Jimenez',
    'Moreno', 'Romero', 'Herrera', 'Medina', 'Aguilar', 'Vargas', 'Guzman', 'Salazar', 'Contreras',
  ],
};

// prettier-ignore
const byLanguage: Record<string, NameList> = {
  es: hispanic,
  zh: {
    female: ['Mei', 'Xiu Ying', 'Li Na', 'Jing', 'Hui', 'Yan', 'Ling', 'Fang', 'Xiaoling', 'Qing'],
    male: ['Wei', 'Jian', 'Hao', 'Ming', 'Jun', 'Lei', 'Tao', 'Bo', 'Zhiwei', 'Gang'],
    surnames: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Lin'],
  },
  vi: {
    female: ['Linh', 'Lan', 'Mai', 'Hoa', 'Thao', 'Ngoc', 'Trang', 'Huong', 'Phuong', 'Anh'],
    male: ['Minh', 'Tuan', 'Duc', 'Hung', 'Quang', 'Thanh', 'Long', 'Khoa', 'Bao', 'Phuc'],
    surnames: ['Nguyen', 'Tran', 'Le', 'Pham', 'Hoang', 'Vu', 'Dang', 'Bui', 'Do', 'Ngo', 'Duong'],
  },
  tl: {
    female: ['Maricel', 'Rowena', 'Jocelyn', 'Lorna', 'Cristina', 'Marites', 'Analyn', 'Divina'],
    male: ['Rommel', 'Jonathan', 'Ramon', 'Noel', 'Reynaldo', 'Edgardo', 'Arnel', 'Danilo'],
    surnames: ['Santos', 'Reyes', 'Cruz', 'Bautista', 'Villanueva', 'Mendoza', 'Dela Cruz', 'Aquino'],
  },
  ko: {
    female: ['Ji-woo', 'Seo-yeon', 'Min-ji', 'Soo-jin', 'Hye-jin', 'Eun-ji', 'Yuna', 'Ha-eun'],
    male: ['Min-jun', 'Ji-hoon', 'Seung-woo', 'Hyun-woo', 'Dong-hyun', 'Jae-won', 'Sung-min'],
    surnames: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon', 'Jang', 'Lim'],
  },
  hy: {
    female: ['Ani', 'Armine', 'Lilit', 'Nare', 'Mariam', 'Gayane', 'Tatevik', 'Anahit', 'Sona'],
    male: ['Aram', 'Armen', 'Hayk', 'Tigran', 'Davit', 'Levon', 'Vahe', 'Narek', 'Gor'],
    surnames: ['Petrosyan', 'Sargsyan', 'Hakobyan', 'Grigoryan', 'Avetisyan', 'Karapetyan', 'Harutyunyan'],
  },
  fa: {
    female: ['Maryam', 'Fatemeh', 'Zahra', 'Shirin', 'Leila', 'Nasrin', 'Parisa', 'Roya', 'Mina'],
    male: ['Ali', 'Reza', 'Hossein', 'Mehdi', 'Amir', 'Dariush', 'Kourosh', 'Babak', 'Arash'],
    surnames: ['Hosseini', 'Mohammadi', 'Rahimi', 'Karimi', 'Moradi', 'Jafari', 'Rezaei', 'Ahmadi'],
  },
  ru: {
    female: ['Olga', 'Natalia', 'Irina', 'Svetlana', 'Ekaterina', 'Anastasia', 'Tatiana', 'Yulia'],
    male: ['Dmitri', 'Sergei', 'Alexei', 'Ivan', 'Mikhail', 'Andrei', 'Nikolai', 'Pavel'],
    surnames: ['Ivanov', 'Smirnov', 'Kuznetsov', 'Popov', 'Sokolov', 'Lebedev', 'Kozlov', 'Novikov'],
  },
};

const heritageShares = [
  ['general', 60],
  ['es', 30],
  ['zh', 2],
  ['vi', 2],
  ['tl', 2],
  ['ko', 2],
  ['hy', 1],
  ['fa', 1],
] as const;

/**
 * A fake full name. English speakers in Southern California carry names of every heritage:
 * about a third draw from the Hispanic lists, a few from the others.
 */
export function personName(rng: Rng, options: { female: boolean; language: string }): string {
  let list = byLanguage[options.language];
  if (!list) {
    const heritage = rng.weighted(heritageShares);
    list = heritage === 'general' ? general : (byLanguage[heritage] ?? general);
  }
  const given = rng.pick(options.female ? list.female : list.male);
  // A few hyphenated or double surnames, as in real registers.
  const surname =
    rng.chance(0.04) && list === hispanic
      ? `${rng.pick(list.surnames)}-${rng.pick(list.surnames)}`
      : rng.pick(list.surnames);
  return `${given} ${surname}`;
}
